// A raw HTTP/1.1 upstream for the forwarder's wire tests
// (tests/integration/t_proxy_wire.sh): it answers GET /scim/v2/Users/{id}
// with bytes written by hand, in the framing the id names, so that keyd's
// own HTTP/1.1 reading meets what a real server may send. No framework:
// express would frame every answer its own way.
//
//   node tests/upstream/raw.js --port-file FILE
//
// ids:
//   length    Content-Length, kept alive
//   chunked   Transfer-Encoding: chunked, in small chunks with an
//             extension and a trailer, kept alive
//   close     no length: the body runs to the close (HTTP/1.0 style)
//   conn-close  Content-Length with Connection: close, then closes
//   extra     Content-Length 2, then bytes past the answer
//   two-cl    two Content-Lengths that disagree (malformed)
//   bad-chunk chunked with a size that is not hex (malformed)
//   stale     answers on a new connection; on a reused one it closes
//             without answering, as a server dropping an idle connection
//             at that very moment does
//   big-chunked  2 MiB in chunks of 1000 bytes
//   big-urls  a Group of 20000 members, each with a $ref under this
//             upstream's /scim/v2 (and every 7th one under /scim/v2x),
//             about 1.7 MB chunked in pieces of 1000 bytes, so that URLs
//             are cut between chunks
//   big-urls-cl  the same with Content-Length
//   esc-urls  a User whose URLs have their slashes escaped ("\/"), as
//             PHP's json_encode writes them, with Content-Length
//   loc-abs   201 with Location and Content-Location as absolute URLs
//             under this upstream's /scim/v2
//   loc-path  201 with a path-only Location under /scim/v2, with a query
//   loc-other 201 with a Location on another host, and one on this host
//             outside /scim/v2 (/scim/v2x/…) as Content-Location
// GET /_stats answers {"connections": N, "requests": N, "dropped": N}:
// the connections that carried a request, the requests, the drops
// (/_stats itself not counted).
import fs from "node:fs";
import net from "node:net";

const args = process.argv.slice(2);
const portFile = args[args.indexOf("--port-file") + 1];
const stats = { connections: 0, requests: 0, dropped: 0 };
const USER = (id) => JSON.stringify({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    id, userName: id + "@example.com",
    meta: { resourceType: "User" },
});

function head(status, fields) {
    return `HTTP/1.1 ${status}\r\n` + fields.map((f) => f + "\r\n").join("") + "\r\n";
}

function chunked(body, size) {
    let out = "";
    for (let i = 0; i < body.length; i += size) {
        const c = body.slice(i, i + size);
        out += Buffer.byteLength(c).toString(16) + ";ext=1\r\n" + c + "\r\n";
    }
    return out + "0\r\nX-Trailer: t\r\n\r\n";
}

const CT = "Content-Type: application/scim+json";

// The answer for ID on a connection that has served N requests before.
function answer(id, n, sock) {
    const body = USER(id);
    const len = `Content-Length: ${Buffer.byteLength(body)}`;
    switch (id) {
    case "length":
        return sock.write(head("200 OK", [CT, len]) + body);
    case "chunked":
        return sock.write(head("200 OK", [CT, "Transfer-Encoding: chunked"]) +
            chunked(body, 7));
    case "big-chunked": {
        const big = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
            id, userName: "big", nickName: "x".repeat(2 * 1024 * 1024) });
        return sock.write(head("200 OK", [CT, "Transfer-Encoding: chunked"]) +
            chunked(big, 1000));
    }
    case "close":
        sock.write("HTTP/1.0 200 OK\r\n" + CT + "\r\n\r\n" + body);
        return sock.end();
    case "conn-close":
        sock.write(head("200 OK", [CT, len, "Connection: close"]) + body);
        return sock.end();
    case "extra":
        return sock.write(head("200 OK", [CT, "Content-Length: 2"]) + "{}XYZ");
    case "two-cl":
        return sock.write(head("200 OK", [CT, "Content-Length: 2",
            "Content-Length: 3"]) + "{}");
    case "bad-chunk":
        return sock.write(head("200 OK", [CT, "Transfer-Encoding: chunked"]) +
            "zz\r\n{}\r\n0\r\n\r\n");
    case "big-urls":
    case "big-urls-cl": {
        const base = `http://127.0.0.1:${server.address().port}/scim/v2`;
        const members = [];
        for (let i = 0; i < 20000; i++)
            members.push({ value: String(i),
                $ref: `${base}${i % 7 ? "" : "x"}/Users/${i}` });
        const g = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            id, displayName: "big", members, meta: { location: `${base}/Groups/${id}` } });
        if (id === "big-urls")
            return sock.write(head("200 OK", [CT, "Transfer-Encoding: chunked"]) +
                chunked(g, 1000));
        return sock.write(head("200 OK", [CT, `Content-Length: ${Buffer.byteLength(g)}`]) + g);
    }
    case "esc-urls": {
        const base = `http://127.0.0.1:${server.address().port}/scim/v2`;
        const u = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
            id, userName: "esc@example.com",
            groups: [{ value: "g1", $ref: `${base}/Groups/g1` },
                { value: "g2", $ref: `${base}x/Groups/g2` }],
            meta: { location: `${base}/Users/${id}` } }).replaceAll("/", "\\/");
        return sock.write(head("200 OK", [CT, `Content-Length: ${Buffer.byteLength(u)}`]) + u);
    }
    case "loc-abs": {
        const url = `http://127.0.0.1:${server.address().port}/scim/v2/Users/${id}`;
        return sock.write(head("201 Created", [CT, len, `Location: ${url}`,
            `Content-Location: ${url}`]) + body);
    }
    case "loc-path":
        return sock.write(head("201 Created", [CT, len,
            `Location: /scim/v2/Users/${id}?attributes=id`]) + body);
    case "loc-other":
        return sock.write(head("201 Created", [CT, len,
            "Location: https://elsewhere.example/scim/v2/Users/x",
            `Content-Location: http://127.0.0.1:${server.address().port}/scim/v2x/Users/x`]) + body);
    case "stale":
        if (n > 0) {
            stats.dropped++;
            return sock.destroy();
        }
        return sock.write(head("200 OK", [CT, len]) + body);
    default:
        return sock.write(head("404 Not Found", ["Content-Length: 0"]));
    }
}

const server = net.createServer((sock) => {
    let buf = "";
    let served = 0;
    sock.on("error", () => {});
    sock.on("data", (d) => {
        buf += d.toString("latin1");
        let end;
        while ((end = buf.indexOf("\r\n\r\n")) >= 0) {
            const line = buf.slice(0, buf.indexOf("\r\n"));
            buf = buf.slice(end + 4);
            const target = line.split(" ")[1] || "/";
            if (target !== "/_stats") {
                stats.requests++;
                if (served === 0)
                    stats.connections++;
            }
            if (target === "/_stats") {
                const s = JSON.stringify(stats);
                sock.write(head("200 OK", ["Content-Type: application/json",
                    `Content-Length: ${s.length}`]) + s);
            } else if (target.startsWith("/scim/v2/Schemas")) {
                const s = JSON.stringify({ schemas:
                    ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                    totalResults: 0, Resources: [] });
                sock.write(head("200 OK", [CT, `Content-Length: ${s.length}`]) + s);
            } else {
                const m = target.match(/^\/scim\/v2\/Users\/([a-z-]+)$/);
                answer(m ? m[1] : "", served, sock);
            }
            served++;
        }
    });
});

server.listen(0, "127.0.0.1", () => {
    fs.writeFileSync(portFile, String(server.address().port));
});
process.on("SIGTERM", () => process.exit(0));
