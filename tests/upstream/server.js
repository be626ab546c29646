// A real SCIM 2.0 service for keyd's integration tests and benchmarks:
// scimmy + scimmy-routers on express, Users (with the enterprise extension)
// and Groups in memory, Bulk, discovery endpoints, bearer-token auth, and a
// test-only inspection API under /_test (not under the SCIM base URL, so a
// proxy in front of /scim/v2 can never reach it).
//
//   node server.js --port 0 --token TOKEN [--port-file F] [--delay-ms N]
//       [--tls-cert F --tls-key F [--client-ca F]]
//
// Listens on 127.0.0.1 only. Prints the port on stdout (one line) and, with
// --port-file, writes it there (atomically, after listening). See README.md.
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const BASE = "/scim/v2";
const BODY_MAX = 1024 * 1024;
const LOG_MAX = 10000;          // requests kept for /_test/log
const ENTERPRISE = SCIMMY.Schemas.EnterpriseUser.definition.id;

function usage(msg) {
    process.stderr.write(`upstream: ${msg}\nusage: node server.js --port N ` +
        "--token TOKEN [--port-file FILE] [--delay-ms N] [--tls-cert FILE " +
        "--tls-key FILE [--client-ca FILE]]\n");
    process.exit(2);
}

function parseArgs(argv) {
    const o = { port: null, token: null, portFile: null, delayMs: 0,
        tlsCert: null, tlsKey: null, clientCa: null };
    const path = (name, v) => {
        if (!v) usage(`${name} needs a path`);
        return v;
    };
    const int = (name, v) => {
        if (v === undefined || !/^\d+$/.test(v)) usage(`${name} needs a number`);
        return Number(v);
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i], v = argv[i + 1];
        if (a === "--port") { o.port = int(a, v); i++; }
        else if (a === "--token") {
            if (!v) usage("--token needs a value");
            o.token = v; i++;
        } else if (a === "--port-file") {
            if (!v) usage("--port-file needs a path");
            o.portFile = v; i++;
        } else if (a === "--delay-ms") { o.delayMs = int(a, v); i++; }
        else if (a === "--tls-cert") { o.tlsCert = path(a, v); i++; }
        else if (a === "--tls-key") { o.tlsKey = path(a, v); i++; }
        else if (a === "--client-ca") { o.clientCa = path(a, v); i++; }
        else usage(`unknown argument ${a}`);
    }
    if (o.port === null) usage("missing --port (0 picks a free one)");
    if (o.token === null && o.clientCa === null)
        usage("missing --token (or --client-ca)");
    if ((o.tlsCert === null) !== (o.tlsKey === null))
        usage("--tls-cert and --tls-key go together");
    if (o.clientCa !== null && o.tlsCert === null)
        usage("--client-ca needs --tls-cert and --tls-key");
    if (o.port > 65535) usage("--port is past 65535");
    return o;
}

const opts = parseArgs(process.argv.slice(2));
const state = { users: new Map(), groups: new Map() };
let requestLog = [];
let delayMs = opts.delayMs;

// --- storage --------------------------------------------------------------

const multiValued = (schema) => schema.definition.attributes
    .filter((a) => a.config.multiValued && a.name !== "schemas")
    .map((a) => a.name);
const complexSingular = (schema) => schema.definition.attributes
    .filter((a) => a.type === "complex" && !a.config.multiValued &&
        a.name !== "meta")
    .map((a) => a.name);
const USER_MULTI = multiValued(SCIMMY.Schemas.User);
const GROUP_MULTI = multiValued(SCIMMY.Schemas.Group);
const USER_COMPLEX = complexSingular(SCIMMY.Schemas.User);

// scimmy's Filter.match throws on an absent multi-valued attribute, so
// records are stored with every multi-valued attribute present, as [].
function normalise(record, names) {
    for (const n of names)
        if (!Array.isArray(record[n])) record[n] = [];
    return record;
}

// What a filter is matched against: the record, plus {} for absent complex
// attributes (Filter.match throws on those too) and the enterprise
// attributes under their full URN names ("urn:…:User:department"), which is
// the only shape in which scimmy's Filter finds them.
function matchView(record) {
    const v = { ...record };
    for (const n of USER_COMPLEX)
        if (v[n] === undefined) v[n] = {};
    const ext = record[ENTERPRISE];
    if (ext && typeof ext === "object")
        for (const [k, val] of Object.entries(ext))
            v[`${ENTERPRISE}:${k}`] = val;
    return v;
}

function applyFilter(resource, records) {
    if (!resource.filter) return records;
    const views = records.map(matchView);
    const hits = new Set(resource.filter.match(views).map((v) => v.id));
    return records.filter((r) => hits.has(r.id));
}

function notFound(kind, id) {
    return new SCIMMY.Types.Error(404, null, `${kind} ${id} not found`);
}

// A plain copy of a scimmy schema instance, without what the service owns.
function plain(instance) {
    const o = JSON.parse(JSON.stringify(instance));
    delete o.schemas;
    delete o.meta;
    delete o.id;
    return o;
}

function stamp(prev) {
    const now = new Date().toISOString();
    return { created: prev?.created ?? now, lastModified: now };
}

function userGroups(id) {
    const out = [];
    for (const g of state.groups.values())
        if (g.members.some((m) => m.value === id))
            out.push({ value: g.id, display: g.displayName, type: "direct" });
    return out;
}

// What a client sees: unassigned attributes left out (RFC 7643 §2.5), not [].
function withoutEmpty(record) {
    const o = { ...record };
    for (const [k, v] of Object.entries(o))
        if (Array.isArray(v) && v.length === 0) delete o[k];
    return o;
}

function userOut(u) {
    return withoutEmpty({ ...u, groups: userGroups(u.id) });
}

function userNameTaken(name, exceptId) {
    const lc = String(name).toLowerCase();
    for (const u of state.users.values())
        if (u.id !== exceptId && String(u.userName).toLowerCase() === lc)
            return true;
    return false;
}

function userIngress(resource, instance) {
    const prev = resource.id ? state.users.get(resource.id) : undefined;
    if (resource.id && !prev) throw notFound("User", resource.id);
    const rec = normalise(plain(instance), USER_MULTI);
    delete rec.groups;              // read-only: derived from Groups
    if (userNameTaken(rec.userName, resource.id))
        throw new SCIMMY.Types.Error(409, "uniqueness",
            `userName ${rec.userName} is already taken`);
    rec.id = prev?.id ?? crypto.randomUUID();
    rec.meta = stamp(prev?.meta);
    state.users.set(rec.id, rec);
    return userOut(rec);
}

function userEgress(resource) {
    if (resource.id) {
        const u = state.users.get(resource.id);
        if (!u) throw notFound("User", resource.id);
        return userOut(u);
    }
    return applyFilter(resource, [...state.users.values()]).map(userOut);
}

function userDegress(resource) {
    if (!state.users.delete(resource.id)) throw notFound("User", resource.id);
    for (const g of state.groups.values())
        g.members = g.members.filter((m) => m.value !== resource.id);
}

function groupIngress(resource, instance) {
    const prev = resource.id ? state.groups.get(resource.id) : undefined;
    if (resource.id && !prev) throw notFound("Group", resource.id);
    const rec = normalise(plain(instance), GROUP_MULTI);
    for (const m of rec.members) {
        const u = state.users.get(m.value);
        if (!u && !state.groups.has(m.value))
            throw new SCIMMY.Types.Error(400, "invalidValue",
                `member ${m.value} does not exist`);
        if (u && m.display === undefined) m.display = u.userName;
    }
    rec.id = prev?.id ?? crypto.randomUUID();
    rec.meta = stamp(prev?.meta);
    state.groups.set(rec.id, rec);
    return withoutEmpty(rec);
}

function groupEgress(resource) {
    if (resource.id) {
        const g = state.groups.get(resource.id);
        if (!g) throw notFound("Group", resource.id);
        return withoutEmpty(g);
    }
    return applyFilter(resource, [...state.groups.values()]).map(withoutEmpty);
}

function groupDegress(resource) {
    if (!state.groups.delete(resource.id))
        throw notFound("Group", resource.id);
}

SCIMMY.Resources.declare(SCIMMY.Resources.User
    .extend(SCIMMY.Schemas.EnterpriseUser, false)
    .ingress(userIngress).egress(userEgress).degress(userDegress));
SCIMMY.Resources.declare(SCIMMY.Resources.Group
    .ingress(groupIngress).egress(groupEgress).degress(groupDegress));

// --- HTTP -----------------------------------------------------------------

const tokenBuf = opts.token !== null ? Buffer.from(opts.token) : null;

// The bearer token, or (with --client-ca) a client certificate the TLS
// handshake verified.
function authorised(req) {
    if (opts.clientCa !== null && req.socket.authorized === true) return true;
    if (tokenBuf === null) return false;
    const h = req.get("authorization") ?? "";
    const m = /^Bearer (.+)$/i.exec(h);
    if (!m) return false;
    const got = Buffer.from(m[1]);
    return got.length === tokenBuf.length &&
        crypto.timingSafeEqual(got, tokenBuf);
}

function scimError(res, status, detail, scimType) {
    res.status(status).type("application/scim+json").send(JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: String(status), ...(scimType ? { scimType } : {}), detail,
    }));
}

// Every SCIM request is logged before anything else looks at it, so a test
// can tell "refused here" from "never arrived".
function logRequest(req, res, next) {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
    let body = null;
    if (raw.length > 0) {
        try { body = JSON.parse(raw); } catch { body = null; }
    }
    const entry = {
        seq: requestLog.length + 1, time: new Date().toISOString(),
        method: req.method, path: req.path, query: { ...req.query },
        headers: { ...req.headers }, body, raw, authorised: authorised(req),
        client_cert: req.socket.getPeerCertificate?.()?.subject?.CN ?? null,
    };
    requestLog.push(entry);
    if (requestLog.length > LOG_MAX) requestLog.shift();
    if (raw.length > 0 && body === null)
        return scimError(res, 400, "the body is not valid JSON",
            "invalidSyntax");
    req.body = body ?? undefined;
    next();
}

function delay(req, res, next) {
    if (delayMs > 0) setTimeout(next, delayMs);
    else next();
}

function testRoutes() {
    const r = express.Router();
    r.use(express.json());
    r.get("/log", (req, res) => res.json({ requests: requestLog }));
    r.delete("/log", (req, res) => { requestLog = []; res.status(204).end(); });
    r.get("/state", (req, res) => res.json({
        users: [...state.users.values()].map(userOut),
        groups: [...state.groups.values()],
    }));
    r.post("/reset", (req, res) => {
        state.users.clear(); state.groups.clear(); requestLog = [];
        res.status(204).end();
    });
    r.post("/delay", (req, res) => {
        const ms = Number(req.query.ms);
        if (!Number.isInteger(ms) || ms < 0)
            return res.status(400).json({ error: "?ms=N, N >= 0" });
        delayMs = ms;
        res.json({ delay_ms: delayMs });
    });
    return r;
}

// RFC 7644 §3.3: a 201 names the new resource in Location as well as in
// meta.location; scimmy-routers sets only meta.location.
function locationOnCreate(req, res, next) {
    const send = res.send.bind(res);
    res.send = (body) => {
        const loc = body && typeof body === "object" ? body.meta?.location : null;
        if (res.statusCode === 201 && loc && !res.get("Location"))
            res.location(loc);
        return send(body);
    };
    next();
}

const app = express();
app.disable("x-powered-by");
app.disable("etag");
app.use("/_test", testRoutes());
app.use(BASE, express.raw({ type: () => true, limit: BODY_MAX }), logRequest,
    delay, locationOnCreate, new SCIMMYRouters({
        type: "bearer",
        // meta.location as absolute URLs, as real services write them
        baseUri: (req) => `${req.protocol}://${req.get("host")}`,
        handler: (req) => {
            if (!authorised(req)) throw new Error("a valid bearer token is required");
            return "keyd-test";
        },
    }));
app.use((req, res) => scimError(res, 404, `no endpoint ${req.path}`));
// express.raw refusing an oversize body, and anything else thrown early.
app.use((err, req, res, next) => {
    if (res.headersSent) return next(err);
    scimError(res, err.status ?? 500, err.message);
});

// The routers announce patch, filter, sort and bulk; say what this service
// really holds.
SCIMMY.Config.set({
    patch: true, filter: { supported: true, maxResults: 200 }, sort: true,
    bulk: { supported: true, maxOperations: 1000, maxPayloadSize: BODY_MAX },
    etag: false, changePassword: false,
});

function tlsServer() {
    const o = { cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) };
    if (opts.clientCa !== null) {
        o.ca = [fs.readFileSync(opts.clientCa)];
        o.requestCert = true;
        o.rejectUnauthorized = true;
    }
    return https.createServer(o, app);
}

const server = (opts.tlsCert !== null ? tlsServer() : app).listen(opts.port, "127.0.0.1", () => {
    const port = server.address().port;
    if (opts.portFile) {
        const tmp = `${opts.portFile}.tmp${process.pid}`;
        fs.writeFileSync(tmp, `${port}\n`);
        fs.renameSync(tmp, opts.portFile);
    }
    process.stdout.write(`${port}\n`);
});
server.on("error", (e) => {
    process.stderr.write(`upstream: cannot listen on 127.0.0.1:${opts.port}: ${e.message}\n`);
    process.exit(1);
});
server.keepAliveTimeout = 65000;
for (const sig of ["SIGTERM", "SIGINT"])
    process.on(sig, () => { server.closeAllConnections?.(); server.close(() => process.exit(0)); });
