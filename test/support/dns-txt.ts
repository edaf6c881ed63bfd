// A one-zone DNS server on 127.0.0.1 for the trust tests (RFC 1035 §4.1): it answers TXT
// queries from a table, each record as the list of character-strings it is published in, so a
// 2048-bit key can be served split into 255-octet strings the way zone files hold it.
import { createSocket, type Socket } from "node:dgram";

export interface TxtServer {
	readonly address: string; // "127.0.0.1:PORT", for Resolver.setServers
	readonly queries: string[];
	close(): Promise<void>;
}

/** Splits a record's text into character-strings of at most 255 octets (RFC 1035 §3.3.14). */
export function strings(text: string, size = 255): string[] {
	const out: string[] = [];
	for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
	return out;
}

/** Serves `records` (lowercased name -> records -> strings); other names: NXDOMAIN. */
export async function txtServer(
	records: ReadonlyMap<string, readonly (readonly string[])[]>,
): Promise<TxtServer> {
	const socket: Socket = createSocket("udp4");
	const queries: string[] = [];
	socket.on("message", (query, peer) => {
		const reply = answer(query, records, queries);
		if (reply) socket.send(reply, peer.port, peer.address);
	});
	await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
	const { port } = socket.address();
	return {
		address: `127.0.0.1:${port}`,
		queries,
		close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
	};
}

function answer(
	query: Buffer,
	records: ReadonlyMap<string, readonly (readonly string[])[]>,
	queries: string[],
): Buffer | undefined {
	if (query.length < 12) return undefined;
	// question: labels from offset 12, then QTYPE and QCLASS
	const labels: string[] = [];
	let at = 12;
	while (at < query.length && query[at] !== 0) {
		const length = query[at] ?? 0;
		labels.push(query.subarray(at + 1, at + 1 + length).toString("latin1"));
		at += 1 + length;
	}
	const questionEnd = at + 5;
	const qtype = query.readUInt16BE(at + 1);
	const name = labels.join(".").toLowerCase();
	queries.push(name);
	const found = records.get(name);
	const rrs = qtype === 16 && found ? found : [];
	const header = Buffer.alloc(12);
	header.writeUInt16BE(query.readUInt16BE(0), 0); // id
	// QR, opcode 0, AA, RD copied, RA; RCODE 3 (NXDOMAIN) when the name is unknown
	header.writeUInt16BE(
		0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x80 | (found ? 0 : 3),
		2,
	);
	header.writeUInt16BE(1, 4); // QDCOUNT
	header.writeUInt16BE(rrs.length, 6); // ANCOUNT
	const parts: Buffer[] = [header, query.subarray(12, questionEnd)];
	for (const record of rrs) {
		const rdata = Buffer.concat(
			record.map((s) => {
				const bytes = Buffer.from(s, "latin1");
				return Buffer.concat([Buffer.from([bytes.length]), bytes]);
			}),
		);
		const rr = Buffer.alloc(12);
		rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
		rr.writeUInt16BE(16, 2); // TXT
		rr.writeUInt16BE(1, 4); // IN
		rr.writeUInt32BE(60, 6); // TTL
		rr.writeUInt16BE(rdata.length, 10);
		parts.push(rr, rdata);
	}
	return Buffer.concat(parts);
}
