// A CouchDB-API server for the sync tests and benchmarks: express-pouchdb over in-memory
// PouchDB, on loopback, with CORS for the page and CouchDB-shaped basic auth in front:
// `writer` may read and write, `reader` may only read (a push gets 403 like a CouchDB
// database whose _security or validate_doc_update refuses it), anyone else gets 401.
// Run: node tests/sync/couch_server.cjs [port]  — prints "listening <port>" when ready.
const express = require('express');
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-mapreduce'))
  .plugin(require('pouchdb-replication'));

const USERS = { writer: 'writer-pass', reader: 'reader-pass' };
const MemoryPouch = PouchDB.defaults({ adapter: 'memory' });
const app = express();

app.use((req, res, next) => {
  const origin = req.headers.origin;
  if (origin) {
    res.set('Access-Control-Allow-Origin', origin);
    res.set('Access-Control-Allow-Credentials', 'true');
    res.set('Access-Control-Allow-Methods', 'GET, PUT, POST, DELETE, HEAD, OPTIONS');
    res.set('Access-Control-Allow-Headers', 'accept, authorization, content-type, origin, referer');
  }
  if (req.method === 'OPTIONS') return res.status(204).end();
  const auth = req.headers.authorization || '';
  const [user, pass] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':');
  if (!USERS[user] || USERS[user] !== pass) {
    return res.status(401).json({ error: 'unauthorized', reason: 'Name or password is incorrect.' });
  }
  const writes = req.method !== 'GET' && req.method !== 'HEAD' &&
    !/\/(_changes|_bulk_get|_revs_diff|_all_docs)$/.test(req.path.split('?')[0]) &&
    !/\/_local\//.test(req.path);
  if (user === 'reader' && writes) {
    return res.status(403).json({ error: 'forbidden', reason: 'You are not allowed to write to this database.' });
  }
  next();
});
app.use('/', require('express-pouchdb')(MemoryPouch, { mode: 'minimumForPouchDB', logPath: '/dev/null' }));

const server = app.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
