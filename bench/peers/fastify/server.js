'use strict';
// Benchmark peer: the bench API (bench/README.md) on Fastify 5 and
// better-sqlite3, written as a Fastify user who cares about speed would:
// prepared statements, response schemas (fast-json-stringify), one process.
// Answers what Django REST Framework answers for the same requests
// (bench/harness/verify.py checks it before every measurement).
//
//   node server.js --listen 127.0.0.1:8000 --db PATH

const Fastify = require('fastify');
const Database = require('better-sqlite3');
const { validateProductCreate, parseDecimal } = require('./validate');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const [host, port] = option('--listen', '127.0.0.1:8000').split(':');
const db = new Database(option('--db', 'bench.db'));
db.pragma('journal_mode = WAL');
// SQLite's default durability, as every other system here has it: a
// commit is synced to disk before it is answered.  better-sqlite3 builds
// its SQLite with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL: no sync at
// commit), which would measure a weaker promise than DRF's 201.
db.pragma('synchronous = FULL');

const PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const ORDERING_FIELDS = new Set(['price', 'created_at']);
const DEFAULT_ORDER = 'created_at DESC';

const sql = {
  token: db.prepare(`SELECT u.id, u.is_active FROM authtoken_token t
                     JOIN auth_user u ON u.id = t.user_id WHERE t.key = ?`),
  product: db.prepare(`SELECT id, name, description, price, is_top, owner_id, created_at
                       FROM products WHERE is_top AND id = ?`),
  insert: db.prepare(`INSERT INTO products
                        (name, description, price, is_top, created_at, updated_at, owner_id)
                      VALUES (?, ?, ?, ?, ?, ?, NULL)`),
};

// Statements whose text depends on the request (filters, ordering, page
// length) are prepared once per distinct text.
const prepared = new Map();
function statement(text) {
  let s = prepared.get(text);
  if (!s) {
    s = db.prepare(text);
    prepared.set(text, s);
  }
  return s;
}

// ---------------------------------------------------------------------------
// Rendering helpers: DRF's text for decimals and datetimes.

const price = (v) => Number(v).toFixed(2);

// Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; DRF renders ISO 8601
// with a Z.
const isoUtc = (stored) => stored.replace(' ', 'T') + 'Z';

function djangoNow() {
  const iso = new Date().toISOString();            // ms precision
  const ms = iso.slice(20, 23);
  const base = iso.slice(0, 10) + ' ' + iso.slice(11, 19);
  return ms === '000' ? base : `${base}.${ms}000`;  // str(datetime) omits .000000
}

const reviewSchema = {
  type: ['object', 'null'],
  properties: { id: { type: 'integer' }, rating: { type: 'integer' }, comment: { type: 'string' } },
};
const productSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, name: { type: 'string' }, description: { type: 'string' },
    price: { type: 'string' }, is_top: { type: 'boolean' }, owner: { type: ['integer', 'null'] },
    created_at: { type: 'string' }, latest_review: reviewSchema,
  },
};
const listItemSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, name: { type: 'string' }, price: { type: 'string' },
    latest_review: reviewSchema,
  },
};
const pageSchema = {
  type: 'object',
  properties: {
    count: { type: 'integer' }, next: { type: ['string', 'null'] },
    previous: { type: ['string', 'null'] }, results: { type: 'array', items: listItemSchema },
  },
};

function productBody(row, latestReview) {
  return {
    id: row.id, name: row.name, description: row.description, price: price(row.price),
    is_top: row.is_top === 1, owner: row.owner_id, created_at: isoUtc(row.created_at),
    latest_review: latestReview,
  };
}

// The LatestReview PostFetch: one windowed query for the whole page.
function latestReviews(ids) {
  const found = new Map();
  if (ids.length === 0) return found;
  const marks = ids.map(() => '?').join(',');
  const rows = statement(`SELECT id, rating, comment, product_id FROM (
      SELECT id, rating, comment, product_id, row_number() OVER (
        PARTITION BY product_id ORDER BY created_at DESC) AS rn
      FROM shop_review WHERE product_id IN (${marks})) WHERE rn <= 1`).all(ids);
  for (const r of rows) found.set(r.product_id, { id: r.id, rating: r.rating, comment: r.comment });
  return found;
}

// ---------------------------------------------------------------------------
// Query-string handling with DRF's and django-filter's rules.

// Python's int() on a query value: surrounding whitespace, an optional sign.
function pythonInt(text) {
  return /^\s*[+-]?\d+\s*$/.test(text) ? parseInt(text, 10) : NaN;
}

function pageSize(query) {
  const n = query.page_size === undefined ? NaN : pythonInt(query.page_size);
  return Number.isNaN(n) || n <= 0 ? PAGE_SIZE : Math.min(n, MAX_PAGE_SIZE);
}

function ordering(query) {
  if (query.ordering) {
    const terms = query.ordering.split(',').map((t) => t.trim())
      .filter((t) => ORDERING_FIELDS.has(t.startsWith('-') ? t.slice(1) : t));
    if (terms.length) return terms.map((t) => (t.startsWith('-') ? `${t.slice(1)} DESC` : t)).join(', ');
  }
  return DEFAULT_ORDER;
}

// django-filter's BooleanWidget: anything else means "no filter".
const BOOLEAN_FILTER = { true: 1, 1: 1, false: 0, 0: 0 };

// Python's urlencode(quote_plus): safe characters are [A-Za-z0-9_.~-].
function quotePlus(s) {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

// DRF's replace_query_param/remove_query_param: the request's own query,
// keys sorted, `page` set or dropped.
function pageLink(request, page) {
  const params = new URLSearchParams(request.url.split('?')[1] || '');
  params.delete('page');
  if (page > 1) params.set('page', String(page));
  const keys = [...new Set(params.keys())].sort();
  const query = keys.map((k) => `${quotePlus(k)}=${quotePlus(params.getAll(k).slice(-1)[0])}`).join('&');
  return `http://${request.headers.host}/api/products/${query ? '?' + query : ''}`;
}

function pageNumber(raw, pages) {
  if (raw === undefined) return 1;
  if (raw === 'last') return pages;
  const n = pythonInt(raw);
  if (Number.isNaN(n) || n < 1 || (n > pages && n !== 1)) return null;
  return n;
}

// ---------------------------------------------------------------------------

const app = Fastify({ logger: false });

// DRF's parsers here are JSON only: anything else is a 415.
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
  if (body === '') return done(null, {});   // DRF treats an empty body as {}
  try {
    done(null, JSON.parse(body));
  } catch (err) {
    done(httpError(400, `JSON parse error - ${err.message}`));
  }
});

function httpError(statusCode, detail, headers) {
  return Object.assign(new Error(detail), { statusCode, detail, headers });
}

app.setErrorHandler((err, request, reply) => {
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = request.headers['content-type'] || '';
    return reply.code(415).send({ detail: `Unsupported media type "${type}" in request.` });
  }
  if (err.detail === undefined) {
    request.log.error(err);
    return reply.code(500).send({ detail: 'A server error occurred.' });
  }
  if (err.headers) reply.headers(err.headers);
  return reply.code(err.statusCode).send(err.errors || { detail: err.detail });
});

app.setNotFoundHandler((request, reply) => reply.code(404).send({ detail: 'Not found.' }));

// TokenAuthentication, run for every request as DRF does in initial().
app.addHook('onRequest', async (request) => {
  request.user = null;
  const header = request.headers.authorization;
  if (!header) return;
  const parts = header.split(/\s+/).filter(Boolean);
  if (parts.length === 0 || parts[0].toLowerCase() !== 'token') return;
  const fail = (detail) => httpError(401, detail, { 'www-authenticate': 'Token' });
  if (parts.length === 1) throw fail('Invalid token header. No credentials provided.');
  if (parts.length > 2) throw fail('Invalid token header. Token string should not contain spaces.');
  const user = sql.token.get(parts[1]);
  if (!user) throw fail('Invalid token.');
  if (!user.is_active) throw fail('User inactive or deleted.');
  request.user = user;
});

function requireUser(request, reply, done) {
  if (request.user) return done();
  return done(httpError(401, 'Authentication credentials were not provided.',
    { 'www-authenticate': 'Token' }));
}

app.get('/api/ping/', async () => ({ ok: true }));

app.get('/api/products/:id/', { schema: { response: { 200: productSchema } } }, async (request) => {
  const id = pythonInt(request.params.id);
  const row = Number.isNaN(id) ? undefined : sql.product.get(id);
  if (!row) throw httpError(404, 'Not found.');
  return productBody(row, latestReviews([row.id]).get(row.id) || null);
});

app.get('/api/products/', { schema: { response: { 200: pageSchema } } }, async (request) => {
  const query = request.query;
  const where = ['is_top'];
  const args = [];
  const topFilter = BOOLEAN_FILTER[String(query.is_top).toLowerCase()];
  if (topFilter !== undefined) {
    where.push('is_top = ?');
    args.push(topFilter);
  }
  if (query.price !== undefined && query.price !== '') {
    const d = parseDecimal(query.price);
    if (!d) throw Object.assign(httpError(400, ''), { errors: { price: ['Enter a number.'] } });
    where.push('price = ?');
    args.push(Number(`${d.negative ? '-' : ''}${d.digits}e${d.exponent}`));
  }
  const clause = where.join(' AND ');
  const count = statement(`SELECT COUNT(*) AS n FROM products WHERE ${clause}`).get(args).n;
  const size = pageSize(query);
  const pages = Math.max(1, Math.ceil(count / size));
  const page = pageNumber(query.page, pages);
  if (page === null) throw httpError(404, 'Invalid page.');
  const rows = statement(`SELECT id, name, price FROM products WHERE ${clause}
                          ORDER BY ${ordering(query)} LIMIT ? OFFSET ?`)
    .all(...args, size, (page - 1) * size);
  const reviews = latestReviews(rows.map((r) => r.id));
  return {
    count,
    next: page < pages ? pageLink(request, page + 1) : null,
    previous: page > 1 ? pageLink(request, page - 1) : null,
    results: rows.map((r) => ({
      id: r.id, name: r.name, price: price(r.price), latest_review: reviews.get(r.id) || null,
    })),
  };
});

app.post('/api/products/', {
  onRequest: requireUser,
  schema: { response: { 201: productSchema } },
}, async (request, reply) => {
  const checked = validateProductCreate(request.body);
  if (checked.errors) throw Object.assign(httpError(400, ''), { errors: checked.errors });
  const p = checked.value;
  const now = djangoNow();
  const { lastInsertRowid } = sql.insert.run(p.name, p.description, p.price, p.is_top ? 1 : 0, now, now);
  reply.code(201);
  return {
    id: Number(lastInsertRowid), name: p.name, description: p.description, price: p.price,
    is_top: p.is_top, owner: null, created_at: isoUtc(now), latest_review: null,
  };
});

app.listen({ host, port: Number(port) }).catch((err) => {
  console.error(err);
  process.exit(1);
});
