import { Buffer } from "node:buffer";
import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { getServers } from "node:dns";
import { connect } from "node:net";
import * as packet from "dns-packet";

/**
 * The TXT records of `name`, each record's character-strings joined (RFC 6376 §3.6.2.2:
 * "strings in a TXT RR MUST be concatenated together before use"). Asked straight of the
 * system's name servers with dns-packet, not through the runtime's resolveTxt: Bun's returns
 * the strings of one record as separate records, so a 2048-bit key (two or more strings)
 * could never be put back together. undefined: NXDOMAIN or no TXT record. Throws when no
 * answer can be had now (SERVFAIL, REFUSED, timeout).
 */
export async function resolveTxt(
	name: string,
	timeoutMs: number,
	servers: readonly string[] = getServers(),
): Promise<string[] | undefined> {
	if (servers.length === 0) throw new Error(`DNS TXT ${name}: no name server`);
	const deadline = Date.now() + timeoutMs;
	let failure: Error | undefined;
	for (const server of servers) {
		const left = deadline - Date.now();
		if (left <= 0) break;
		try {
			return await ask(name, parseServer(server), left);
		} catch (error) {
			failure ??= error instanceof Error ? error : new Error(String(error));
		}
	}
	throw failure ?? new Error(`DNS TXT ${name}: no answer in ${timeoutMs} ms`);
}

interface Server {
	readonly host: string;
	readonly port: number;
	readonly family: 4 | 6;
}

/** "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53" (what dns.getServers() returns). */
function parseServer(server: string): Server {
	const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
	if (bracket)
		return {
			host: bracket[1] ?? "",
			port: Number(bracket[2] ?? 53),
			family: 6,
		};
	const colons = server.split(":").length - 1;
	if (colons === 1) {
		const [host = "", port = "53"] = server.split(":");
		return { host, port: Number(port), family: 4 };
	}
	return { host: server, port: 53, family: colons > 1 ? 6 : 4 };
}

async function ask(
	name: string,
	server: Server,
	timeoutMs: number,
): Promise<string[] | undefined> {
	const id = randomInt(0x10000);
	const query: packet.Packet = {
		type: "query",
		id,
		flags: packet.RECURSION_DESIRED,
		questions: [{ type: "TXT", class: "IN", name }],
		// EDNS0 (RFC 6891): a 4096-bit key fits in one UDP answer
		additionals: [
			{ type: "OPT", name: ".", udpPayloadSize: 4096 } as packet.Answer,
		],
	};
	let reply = await udp(packet.encode(query), id, server, timeoutMs);
	// RFC 7766: a truncated UDP answer is asked again over TCP
	if (reply.flag_tc)
		reply = await tcp(packet.streamEncode(query), id, server, timeoutMs);
	const rcode = (reply.flags ?? 0) & 0xf;
	if (rcode === 3) return undefined; // NXDOMAIN
	if (rcode !== 0) throw new Error(`DNS TXT ${name}: rcode ${rcode}`);
	const records = (reply.answers ?? [])
		.filter(
			(a) => a.type === "TXT" && a.name.toLowerCase() === name.toLowerCase(),
		)
		.map((a) => {
			const data = (a as packet.TxtAnswer).data;
			const strings = Array.isArray(data) ? data : [data];
			return strings
				.map((s) =>
					typeof s === "string" ? s : Buffer.from(s).toString("latin1"),
				)
				.join("");
		});
	return records.length > 0 ? records : undefined;
}

function udp(
	message: Buffer,
	id: number,
	server: Server,
	timeoutMs: number,
): Promise<packet.DecodedPacket> {
	return new Promise((resolve, reject) => {
		const socket = createSocket(server.family === 6 ? "udp6" : "udp4");
		const done = (error: Error | undefined, reply?: packet.DecodedPacket) => {
			clearTimeout(timer);
			socket.close();
			if (reply) resolve(reply);
			else reject(error);
		};
		const timer = setTimeout(
			() =>
				done(
					new Error(`DNS: no answer from ${server.host} in ${timeoutMs} ms`),
				),
			timeoutMs,
		);
		socket.on("error", (error) => done(error));
		socket.on("message", (data, from) => {
			if (from.port !== server.port) return;
			try {
				const reply = packet.decode(data);
				if (reply.id === id && reply.type === "response")
					done(undefined, reply);
			} catch {
				// not a DNS answer: keep waiting for ours
			}
		});
		socket.send(message, server.port, server.host, (error) => {
			if (error) done(error);
		});
	});
}

function tcp(
	message: Buffer,
	id: number,
	server: Server,
	timeoutMs: number,
): Promise<packet.DecodedPacket> {
	return new Promise((resolve, reject) => {
		const socket = connect({ host: server.host, port: server.port });
		let received = Buffer.alloc(0);
		const done = (error: Error | undefined, reply?: packet.DecodedPacket) => {
			clearTimeout(timer);
			socket.destroy();
			if (reply) resolve(reply);
			else reject(error);
		};
		const timer = setTimeout(
			() =>
				done(
					new Error(
						`DNS: no TCP answer from ${server.host} in ${timeoutMs} ms`,
					),
				),
			timeoutMs,
		);
		socket.on("error", (error) => done(error));
		socket.on("connect", () => socket.write(message));
		socket.on("data", (chunk: Buffer) => {
			received = Buffer.concat([received, chunk]);
			if (received.length < 2) return;
			const length = received.readUInt16BE(0);
			if (received.length < 2 + length) return;
			try {
				const reply = packet.decode(received.subarray(2, 2 + length));
				if (reply.id === id) done(undefined, reply);
				else done(new Error("DNS: TCP answer to another query"));
			} catch (error) {
				done(error instanceof Error ? error : new Error(String(error)));
			}
		});
		socket.on("end", () => done(new Error("DNS: TCP connection closed")));
	});
}
