import { decodeAddressField } from "../../dsn/address.ts";
import {
	type FieldGroup,
	parseDeliveryStatus,
	stripComments,
} from "../../dsn/fields.ts";
import { parseStatus, statusClass, statusFromText } from "../../dsn/status.ts";
import { decodeText, type MailPart } from "../../mail/message.ts";
import { resolveAddressless } from "../lib/addressless.ts";
import {
	type Action,
	type Bounce,
	type Detector,
	type RecipientReport,
	toAction,
} from "../types.ts";

// RFC 3464 §2.1 and RFC 6533 §4 (SMTPUTF8: message/global-delivery-status)
const DSN_TYPES: ReadonlySet<string> = new Set([
	"message/delivery-status",
	"message/global-delivery-status",
]);

/** The machine-readable part of a multipart/report (RFC 6522 §3), any depth. */
export const rfc3464: Detector = (message) => {
	const found = readDeliveryStatus(
		message.parts.filter((p) => DSN_TYPES.has(p.mimeType)).map(partText),
	);
	return found && resolveAddressless(found, message);
};

/** Reads the bodies of delivery-status parts; undefined when no recipient is named. */
export function readDeliveryStatus(
	bodies: readonly string[],
): Bounce | undefined {
	const recipients: RecipientReport[] = [];
	let reportingMta: string | undefined;
	for (const body of bodies) {
		const status = parseDeliveryStatus(body);
		reportingMta ??= mtaName(status.message.get("reporting-mta"));
		for (const group of status.recipients) {
			const recipient = toRecipient(group);
			if (recipient) recipients.push(recipient);
		}
	}
	if (recipients.length === 0) return undefined;
	return { kind: "bounce", detector: "rfc3464", recipients, reportingMta };
}

function partText(part: MailPart): string {
	return decodeText(part.content);
}

function toRecipient(group: FieldGroup): RecipientReport | undefined {
	const originalField = group.get("original-recipient");
	const original =
		originalField === undefined ? undefined : decodeAddressField(originalField);
	// an empty Final-Recipient (CommuniGate: `system;<>`) leaves the Original-Recipient
	const address =
		decodeAddressField(group.get("final-recipient") ?? "") || original || "";
	if (address === "") return undefined;
	const diagnostic = group.get("diagnostic-code");
	const statusField = group.get("status");
	// a reply in place of a status code (`Status: 553 Exceeded maximum size`) gives its class
	const status =
		parseStatus(statusField) ??
		statusFromText(diagnostic) ??
		statusFromText(statusField);
	return {
		address,
		original: original === "" ? undefined : original,
		action: actionOf(group.get("action"), status),
		status,
		diagnostic,
		remoteMta: mtaName(group.get("remote-mta")),
	};
}

/**
 * RFC 3464 §2.3.3. A missing Action, or one outside the five values (old MTAs write
 * `failure` or `error`), is read from the status class.
 */
function actionOf(
	value: string | undefined,
	status: string | undefined,
): Action {
	const action =
		value === undefined ? "unknown" : toAction(stripComments(value));
	if (action !== "unknown") return action;
	switch (statusClass(status)) {
		case "5":
			return "failed";
		case "4":
			return "delayed";
		case "2":
			return "delivered";
		default:
			return "unknown";
	}
}

/** `dns; mx.example.org` -> `mx.example.org` (RFC 3464 §2.2.2 mta-name-type). */
function mtaName(value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	const name = stripComments(value).replace(/^[A-Za-z0-9-]+\s*;\s*/, "");
	return name === "" ? undefined : name;
}
