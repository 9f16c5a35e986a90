// No test may reach a real server: any outbound TCP connection attempt throws.
import net from "node:net";

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const [first] = args as [unknown];
  const opts = (typeof first === "object" && first !== null ? first : {}) as { path?: string };
  // Unix sockets (IPC between test processes) are local; anything else is refused.
  if (typeof opts.path === "string") return original.apply(this, args as never);
  throw new Error("tgrelay tests must not open network connections (socket guard)");
} as typeof net.Socket.prototype.connect;
