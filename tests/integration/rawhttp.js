// A raw HTTP/1.x client for the listener's wire tests
// (tests/integration/t_http_wire.sh): it writes the bytes it reads on
// stdin to keyd exactly as they are, over TLS or plain TCP, in one write
// or in small pieces, and prints what came back. No HTTP library: curl and
// node's http would fix up or refuse the malformed requests under test.
//
//   node tests/integration/rawhttp.js --port P [--host H]
//       [--tls --ca FILE [--servername NAME]]
//       [--split N] [--delay-ms D]     write N bytes at a time, D ms apart
//       [--expect-100] [--wait-ms W]   write the head, wait up to W ms for
//                                      the server's first answer: on a 1xx
//                                      write the body, on a final answer
//                                      never write it
//       [--half-close]                 shut the write side after the last write
//       [--expect N] [--grace-ms G]    stop reading G ms (default 300) after
//                                      the Nth final answer is complete
//       [--idle-ms M]                  stop after M ms of silence (default 2000)
//       [--total-ms T]                 stop after T ms in all (default 10000)
//       [--summary] [--raw FILE]       < request-bytes
//
// Without --summary stdout gets the raw bytes that came back. With it,
// one line per answer, 1xx included, in order:
//   HTTP/1.1 200 OK body=15
// (body=… is the body's length by its framing; a HEAD request's answer
// and 1xx, 204 and 304 have none; "body=incomplete" when the bytes ran
// out), then one closing line:
//   responses=N trailing=B end=eof|reset|idle|cap|count
// responses counts final (non-1xx) answers; trailing is the bytes after the
// last whole answer that do not make one; end says why reading stopped:
// the server closed (eof: a FIN; reset: an RST or a write that failed on
// a closed connection), silence (idle), the total cap (cap), or the
// --expect count reached with no close in the grace time (count). With
// --expect-100 a line before it says what happened to the body:
//   expect100=body-after-1xx|body-withheld|body-after-timeout
// --raw FILE also saves the raw bytes. Exit status 1 when the connection
// could not be made (TLS verification included), else 0.
"use strict";
const fs = require("fs");
const net = require("net");
const tls = require("tls");

const opt = { host: "127.0.0.1", port: 0, tls: false, ca: null, servername: null,
    split: 0, delayMs: 0, expect100: false, waitMs: 2000, halfClose: false,
    expect: 0, graceMs: 300, idleMs: 2000, totalMs: 10000, summary: false, raw: null };
const flags = { "--tls": "tls", "--expect-100": "expect100", "--half-close": "halfClose",
    "--summary": "summary" };
const valued = { "--host": "host", "--port": "port", "--ca": "ca", "--servername": "servername",
    "--split": "split", "--delay-ms": "delayMs", "--wait-ms": "waitMs", "--expect": "expect",
    "--grace-ms": "graceMs", "--idle-ms": "idleMs", "--total-ms": "totalMs", "--raw": "raw" };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (flags[a]) opt[flags[a]] = true;
    else if (valued[a] && i + 1 < argv.length) {
        const k = valued[a], v = argv[++i];
        opt[k] = typeof opt[k] === "number" ? Number(v) : v;
    } else {
        process.stderr.write(`rawhttp: unknown or incomplete argument ${a}\n`);
        process.exit(2);
    }
}
if (!opt.port) {
    process.stderr.write("rawhttp: --port is required\n");
    process.exit(2);
}

const request = fs.readFileSync(0);
const CRLF2 = Buffer.from("\r\n\r\n");

// --- parsing: just enough HTTP/1.1 framing to split a byte stream ---------

// The head at OFF in BUF: { line, fields (lower-cased name → [values]),
// end (offset after the blank line) }, or null if incomplete.
function parseHead(buf, off) {
    const end = buf.indexOf(CRLF2, off);
    if (end < 0) return null;
    const lines = buf.subarray(off, end).toString("latin1").split("\r\n");
    const fields = {};
    for (const l of lines.slice(1)) {
        const c = l.indexOf(":");
        if (c <= 0) continue;
        const n = l.slice(0, c).trim().toLowerCase();
        (fields[n] = fields[n] || []).push(l.slice(c + 1).trim());
    }
    return { line: lines[0], fields, end: end + 4 };
}

// The end of a chunked body starting at OFF, or -1 if incomplete.
function chunkedEnd(buf, off) {
    for (;;) {
        const eol = buf.indexOf("\r\n", off);
        if (eol < 0) return -1;
        const size = parseInt(buf.subarray(off, eol).toString("latin1").split(";")[0], 16);
        if (Number.isNaN(size)) return -1;
        off = eol + 2;
        if (size === 0) {		// trailer fields, then a blank line
            for (;;) {
                const e = buf.indexOf("\r\n", off);
                if (e < 0) return -1;
                if (e === off) return e + 2;
                off = e + 2;
            }
        }
        if (buf.length < off + size + 2) return -1;
        off += size + 2;
    }
}

// A message's body framing from its head: "none", "chunked", a length, or
// "close" (to the end of the stream).
function framing(h, noBody) {
    if (noBody) return "none";
    const te = (h.fields["transfer-encoding"] || []).join(",").toLowerCase();
    if (/chunked\s*$/.test(te)) return "chunked";
    const cl = h.fields["content-length"];
    if (cl) return Number(cl[0]);
    return "close";
}

// The methods of the requests in REQUEST, in order, as far as they parse.
function requestMethods() {
    const m = [];
    let off = 0;
    while (off < request.length) {
        const h = parseHead(request, off);
        if (h === null) break;
        m.push(h.line.split(" ")[0]);
        const f = framing(h, false);
        if (f === "chunked") {
            const e = chunkedEnd(request, h.end);
            if (e < 0) break;
            off = e;
        } else if (typeof f === "number" && !Number.isNaN(f)) off = h.end + f;
        else off = h.end;		// "close" for a request: no body
    }
    return m;
}

// The answers in BUF: { list: [{ line, status, body }], used, finals }.
// CLOSED: the stream has ended, so a body to the close is complete.
function parseResponses(buf, closed) {
    const methods = requestMethods();
    const list = [];
    let off = 0, finals = 0;
    while (off < buf.length) {
        const h = parseHead(buf, off);
        if (h === null) break;
        const status = Number(h.line.split(" ")[1]);
        const interim = status >= 100 && status < 200;
        const noBody = interim || status === 204 || status === 304 ||
            methods[finals] === "HEAD";
        const f = framing(h, noBody);
        let end;
        if (f === "none") end = h.end;
        else if (f === "chunked") end = chunkedEnd(buf, h.end);
        else if (f === "close") end = closed ? buf.length : -1;
        else end = buf.length >= h.end + f ? h.end + f : -1;
        if (end < 0) {
            list.push({ line: h.line, status, body: "incomplete" });
            break;
        }
        list.push({ line: h.line, status, body: end - h.end });
        if (!interim) finals++;
        off = end;
    }
    return { list, used: off, finals };
}

// --- the connection ------------------------------------------------------

let received = Buffer.alloc(0);
let ended = null;
let idleTimer = null, graceTimer = null, writing = true;
let expect100 = null, bodyPending = null;
const started = Date.now();

const sock = opt.tls
    ? tls.connect({ host: opt.host, port: opt.port, ca: fs.readFileSync(opt.ca),
        servername: opt.servername || (net.isIP(opt.host) ? undefined : opt.host) })
    : net.connect({ host: opt.host, port: opt.port });
sock.setNoDelay(true);

function finish(why) {
    if (ended !== null) return;
    ended = why;
    clearTimeout(idleTimer);
    clearTimeout(graceTimer);
    clearTimeout(totalTimer);
    if (opt.raw) fs.writeFileSync(opt.raw, received);
    if (!opt.summary) {
        process.stdout.write(received);
    } else {
        const closed = why === "eof" || why === "reset";
        const r = parseResponses(received, closed);
        let out = "";
        for (const x of r.list) out += `${x.line} body=${x.body}\n`;
        if (opt.expect100) out += `expect100=${expect100 || "body-after-timeout"}\n`;
        out += `responses=${r.list.filter((x) => x.status >= 200 && x.body !== "incomplete").length}` +
            ` trailing=${received.length - r.used} end=${why}\n`;
        process.stdout.write(out);
    }
    sock.destroy();
}

function armIdle() {
    clearTimeout(idleTimer);
    if (!writing) idleTimer = setTimeout(() => finish("idle"), opt.idleMs);
}

const totalTimer = setTimeout(() => finish("cap"), opt.totalMs);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function send(bytes) {
    if (opt.split > 0) {
        for (let i = 0; i < bytes.length; i += opt.split) {
            if (ended !== null || sock.destroyed) return;
            sock.write(bytes.subarray(i, i + opt.split));
            if (opt.delayMs > 0 && i + opt.split < bytes.length) await sleep(opt.delayMs);
        }
    } else if (bytes.length > 0 && ended === null && !sock.destroyed) {
        sock.write(bytes);
    }
}

// With --expect-100: resolves with the first answer's head (or null on
// timeout) once one is whole.
let firstHead = null;
function waitFirstHead() {
    return new Promise((resolve) => {
        const t = setTimeout(() => { firstHead = null; resolve(null); }, opt.waitMs);
        firstHead = (h) => { clearTimeout(t); firstHead = null; resolve(h); };
    });
}

async function run() {
    if (opt.expect100) {
        const e = request.indexOf(CRLF2);
        const head = e < 0 ? request : request.subarray(0, e + 4);
        bodyPending = e < 0 ? Buffer.alloc(0) : request.subarray(e + 4);
        const wait = waitFirstHead();
        await send(head);
        const h = await wait;
        if (h === null) {
            expect100 = "body-after-timeout";
            await send(bodyPending);
        } else if (Number(h.line.split(" ")[1]) < 200) {
            expect100 = "body-after-1xx";
            await send(bodyPending);
        } else {
            expect100 = "body-withheld";
        }
    } else {
        await send(request);
    }
    if (opt.halfClose && ended === null && !sock.destroyed) sock.end();
    writing = false;
    armIdle();
}

sock.on(opt.tls ? "secureConnect" : "connect", () => { run(); });
sock.on("data", (d) => {
    received = Buffer.concat([received, d]);
    if (firstHead) {
        const h = parseHead(received, 0);
        if (h) firstHead(h);
    }
    armIdle();
    if (opt.expect > 0 && graceTimer === null &&
        parseResponses(received, false).finals >= opt.expect)
        graceTimer = setTimeout(() => finish("count"), opt.graceMs);
});
sock.on("end", () => finish("eof"));
sock.on("close", () => finish("eof"));
sock.on("error", (err) => {
    if (ended !== null) return;
    if (err.code === "ECONNRESET" || err.code === "EPIPE") {
        finish("reset");
        return;
    }
    process.stderr.write(`rawhttp: ${err.code || ""} ${err.message}\n`);
    clearTimeout(totalTimer);
    clearTimeout(idleTimer);
    process.exit(1);
});
