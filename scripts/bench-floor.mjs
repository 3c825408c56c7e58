// The benchmark's floor: gunzip, split lines and JSON.parse each one, nothing else, single-threaded.
// Usage: node scripts/bench-floor.mjs <dir>; prints the number of parsed lines.
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (name.endsWith('.gz')) out.push(path);
  }
  return out;
}

let count = 0;
for (const file of files(process.argv[2])) {
  let rest = '';
  for await (const chunk of createReadStream(file).pipe(createGunzip())) {
    const text = rest + chunk.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (nl > start) {
        JSON.parse(text.slice(start, nl));
        count++;
      }
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.trim()) {
    JSON.parse(rest);
    count++;
  }
}
console.log(count);
