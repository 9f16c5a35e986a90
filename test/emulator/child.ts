// Child process of persist.test.ts: opens a world file, does what argv says, prints a JSON result.
import { Api } from "telegram";
import { Emulator } from "../../src/emulator/index.js";

const [path, step] = process.argv.slice(2) as [string, string];
const emu = Emulator.open({ path, seed: 11 });
if (step === "setup") {
  emu.addAccount({ name: "alice" });
  const src = emu.createChat({ title: "Source", username: "persist_src", owner: "alice" });
  emu.createChat({ title: "Target", username: "persist_dst", owner: "alice" });
  const ids = emu.generate(src.id, { posts: 30, seed: 4 });
  emu.addPost(src.id, { text: "stored", media: { kind: "document", bytes: Buffer.from("hello world, stored bytes") } });
  console.log(JSON.stringify({ ids }));
  emu.close();
} else if (step === "send-forever") {
  // Sends numbered messages with randomId = n, reporting each after it returned; the parent SIGKILLs us.
  const client = emu.client("alice");
  const peer = await client.getInputEntity("persist_dst");
  for (let n = 1; ; n++) {
    await client.invoke(new Api.messages.SendMessage({ peer, message: `n${n}`, randomId: (await import("big-integer")).default(n) }));
    process.stdout.write(`${n}\n`);
  }
}
