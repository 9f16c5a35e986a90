/**
 * The turnstile of strict order across accounts: an account may send a batch of chunk k to the targets
 * only once every chunk before k is done. Inside a chunk one account sends its batches one at a time in
 * source order (relay's concatMap), so a turn per chunk orders the whole job: (chunk, seq).
 */
import { BehaviorSubject, filter, map, take, type Observable } from "rxjs";

export class Turnstile {
  // The lowest chunk index not yet done: chunks below it are all done.
  private readonly open$: BehaviorSubject<number>;
  // Chunks done out of order, waiting for the ones before them.
  private readonly doneAhead = new Set<number>();

  /** @param first index of the first chunk of the job (0 for planChunks) */
  constructor(first = 0) {
    this.open$ = new BehaviorSubject(first);
  }

  /** The chunk whose batches may be sent now. */
  get current(): number {
    return this.open$.value;
  }

  /** Whether a batch of `chunk` may be sent now. */
  isOpen(chunk: number): boolean {
    return chunk <= this.open$.value;
  }

  /**
   * Emits once and completes when `chunk` may send (at once when it already may).
   * @param chunk the chunk of the batch about to be sent
   */
  wait(chunk: number): Observable<void> {
    return this.open$.pipe(
      filter((open) => chunk <= open),
      take(1),
      map(() => undefined),
    );
  }

  /** Mark `chunk` done (all its batches sent and committed, or nothing to send). Idempotent. */
  done(chunk: number): void {
    if (chunk < this.open$.value) return;
    this.doneAhead.add(chunk);
    let open = this.open$.value;
    while (this.doneAhead.delete(open)) open++;
    if (open !== this.open$.value) this.open$.next(open);
  }
}
