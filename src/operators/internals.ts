/**
 * Shared machinery of tgrelay's operators (not exported from the package).
 * rxjs 7 keeps `operate`/`OperatorSubscriber` internal, so operators here are written as
 * `new Observable` plus an observer object — the shape rxjs 8's own operators have.
 */
import {
  Observable, Subscriber, type Observer, type OperatorFunction, type Subscription, type TeardownLogic,
} from "rxjs";

/**
 * Build an operator from a per-subscription `init`: all state lives inside `init`, so one operator
 * instance serves many subscriptions (referential transparency). A synchronous throw in `init`
 * becomes an error notification, as in rxjs's `operate`.
 */
export function operate<T, R>(
  init: (source: Observable<T>, subscriber: Subscriber<R>) => TeardownLogic,
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      try {
        return init(source, subscriber);
      } catch (err) {
        subscriber.error(err);
        return undefined;
      }
    });
}

/** Key value meaning "no album". */
export const NO_KEY: unique symbol = Symbol("no key");

/**
 * A key that compares by value: strings, numbers and bigints by their decimal text (so "5", 5, 5n and a
 * big-integer 5 are one album), objects with their own `toString` (big-integer, Long) by its text,
 * other objects by identity. `undefined` and `null` mean no key.
 */
export function keyValue(key: unknown): unknown {
  if (key === undefined || key === null) return NO_KEY;
  switch (typeof key) {
    case "string":
      return key;
    case "number":
    case "bigint":
      return String(key);
    case "object":
    case "function": {
      const toString = (key as { toString?: unknown }).toString;
      return typeof toString === "function" && toString !== Object.prototype.toString
        ? String(key)
        : key;
    }
    default:
      return key;
  }
}

/**
 * Subscribe `observer` to `source` through a Subscriber chained to `destination`, so that when the
 * destination is unsubscribed (e.g. `take(3)` downstream) a synchronous source sees `closed` at once and
 * stops, instead of pushing every value into a dead operator (rxjs#5369's "synchronous firehose").
 * This is what rxjs 7's internal `createOperatorSubscriber` does; its public form is this constructor.
 */
export function subscribeChained<T>(
  source: Observable<T>,
  destination: Subscriber<never> | Subscriber<unknown>,
  observer: Partial<Observer<T>>,
): Subscription {
  const full: Observer<T> = {
    next: observer.next ?? (() => undefined),
    error: observer.error ?? ((err: unknown) => destination.error(err)),
    complete: observer.complete ?? (() => destination.complete()),
  };
  // eslint-disable-next-line deprecation/deprecation -- the only public way to chain a subscriber in rxjs 7
  const inner = new Subscriber<T>(full);
  destination.add(inner);
  source.subscribe(inner);
  return inner;
}
