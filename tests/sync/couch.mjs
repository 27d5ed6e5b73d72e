// Starts the CouchDB-API test server (couch_server.cjs) on a free loopback port, for tests
// and benchmarks; `stop()` ends it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WRITER = { user: 'writer', password: 'writer-pass' };
export const READER = { user: 'reader', password: 'reader-pass' };

export async function startCouch() {
  const child = spawn(process.execPath, ['--max-old-space-size=8192', path.join(here, 'couch_server.cjs'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`couch server exited ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const auth = 'Basic ' + Buffer.from(`${WRITER.user}:${WRITER.password}`).toString('base64');
  /** A request as the writer; returns [status, json]. */
  const call = async (method, p, body) => {
    const res = await fetch(`${base}/${p}`, {
      method, headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return [res.status, await res.json()];
  };
  return {
    base, call,
    async createDb(name) { const [status] = await call('PUT', name); if (status >= 300) throw new Error(`PUT ${name}: ${status}`); return `${base}/${name}`; },
    stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }),
  };
}
