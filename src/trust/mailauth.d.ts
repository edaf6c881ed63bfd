// The part of mailauth (postalsys) that src/trust/dkim.ts uses: its DKIM verifier class, which
// the package ships without type declarations (lib/dkim/verify.d.ts types only dkimVerify()).
declare module "mailauth/lib/dkim/dkim-verifier.js" {
	import { Writable } from "node:stream";

	/** What resolver(name, "TXT") returns: like dns.resolveTxt, records of strings. */
	export type MailauthResolver = (
		name: string,
		type: string,
	) => Promise<string[][]>;

	export interface MailauthSignatureHeader {
		readonly parsed?: {
			readonly bh?: { readonly value?: unknown };
			readonly h?: { readonly value?: unknown };
		};
		readonly bodyHashKey?: string;
		readonly fallbackBodyHashKey?: string;
		readonly selector?: string;
		readonly signingDomain?: string;
		readonly identity?: string;
	}

	export interface MailauthHeaderLine {
		readonly key: string;
		readonly line: Uint8Array;
	}

	export interface MailauthResult {
		readonly signingDomain?: string;
		readonly selector?: string;
		bodyHash?: string | undefined;
		readonly bodyHashExpecting?: string;
		readonly signingHeaders?: {
			readonly keys: string;
			readonly headers: readonly string[];
		};
		readonly status: {
			readonly result: string;
			readonly comment?: string | false;
			readonly testing?: boolean;
			readonly policy?: Readonly<Record<string, string>>;
			readonly header?: { readonly i?: string | false };
		};
	}

	export interface MailauthBodyHasher {
		hash?: string | undefined;
	}

	export class DkimVerifier extends Writable {
		constructor(options: {
			readonly resolver: MailauthResolver;
			readonly strict?: boolean;
			readonly curTime?: Date;
			readonly minBitLength?: number;
		});
		readonly results: MailauthResult[];
		readonly bodyHashes: Map<string, MailauthBodyHasher>;
		verifySignature(
			signatureHeader: MailauthSignatureHeader,
			fallback?: boolean,
		): Promise<MailauthResult>;
	}
}
