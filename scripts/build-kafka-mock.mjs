// Installs the native addon of @confluentinc/kafka-javascript, whose librdkafka mock cluster is the
// Kafka broker of our tests. Its own install script is denied in package.json's allowScripts: on
// machines without GitHub access its prebuilt download fails and its source build then downloads
// zlib/openssl. Here: try the prebuilt first (works for most users), then build from source against
// the system's libssl/zlib (CKJS_LINKING=dynamic; needs g++, make, python3, libssl-dev).
// A dev dependency only: production installs (--omit=dev) do not have it, and this does nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let dir;
try {
  dir = path.dirname(require.resolve('@confluentinc/kafka-javascript/package.json'));
} catch {
  process.exit(0);
}
if (existsSync(path.join(dir, 'build/Release/confluent-kafka-javascript.node'))) process.exit(0);
const preGyp = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp', { paths: [dir] });
const run = (args, env) =>
  spawnSync(process.execPath, [preGyp, 'install', ...args], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, ...env },
  });

if (run([]).status === 0 && existsSync(path.join(dir, 'build/Release/confluent-kafka-javascript.node'))) process.exit(0);
console.log('building @confluentinc/kafka-javascript (Kafka mock for tests) from source, 2-4 min...');
const build = run(['--build-from-source'], {
  CKJS_LINKING: 'dynamic',
  // node-gyp must use the installed Node headers when it cannot download them.
  npm_config_nodedir: process.env.npm_config_nodedir ?? (existsSync('/usr/include/node/node.h') ? '/usr' : undefined),
});
if (build.status !== 0) {
  console.error(`${build.stdout}\n${build.stderr}`.slice(-8000));
  process.exit(build.status ?? 1);
}
