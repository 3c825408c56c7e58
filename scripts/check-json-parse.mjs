#!/usr/bin/env node
// Checks that JSON.parse gives back the keys JSON.stringify wrote, over many random objects whose keys
// are escapes and brackets ("\n", "\"", "\\", "]"...), in one process: on Node.js 24.21.0 a key "\n"
// came back as "\\" after some 60 arrays (a fresh process parses the same text right). Prints the
// first wrong key and exits 1, or exits 0.
//   node scripts/check-json-parse.mjs [rounds=2000]
let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = (list) => list[Math.floor(random() * list.length)];
const strings = ['', 'a', ',', ']', '}', '[', '{', '"', '\\', '\\"', 'é', '\n', 'x\\\\'];
const value = (depth) => {
  const kind = depth > 3 ? 0 : Math.floor(random() * 4);
  if (kind === 0) return pick([1, -2.5, true, false, null, pick(strings) + pick(strings)]);
  if (kind === 1) return Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(random() * 3) }, () => [pick(strings), value(depth + 1)]));
};
const rounds = Number(process.argv[2] ?? 2000);
for (let round = 0; round < rounds; round++) {
  const array = Array.from({ length: Math.floor(random() * 6) }, () => value(0));
  const text = JSON.stringify(array, null, round % 3 === 0 ? 2 : undefined);
  const back = JSON.stringify(JSON.parse(text), null, round % 3 === 0 ? 2 : undefined);
  if (back !== text) {
    console.log(`Node.js ${process.version}: JSON.parse changed a key at round ${round}:\n${text}\nparsed and written again:\n${back}`);
    process.exit(1);
  }
}
console.log(`Node.js ${process.version}: JSON.parse gave back every key of ${rounds} arrays`);
