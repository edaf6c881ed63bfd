// What makes a message a non-delivery notice, in the words MTAs and the big mail
// services use (English, German, French, Spanish, Italian, Portuguese, Dutch, Russian,
// Polish, Japanese, Chinese). Shared by the generic readers (text-notice, verp).
import { header, type Message } from "../../mail/message.ts";

/** The sender of a notice: RFC 3464 §2 and RFC 5321 §4.5.5 send it from the null path. */
export const NOTICE_FROM =
	/mailer-daemon|postmaster|mail delivery|mail administrator|delivery subsystem|mail ?system|\bmdaemon@/i;

/** Failure wording, as a notice words it in its subject or its first lines. */
export const FAILURE = new RegExp(
	[
		// English
		`undeliver|undelivered|returned mail|failure notice|delivery (?:status notification|failure|failed|problem|has failed|notification)|mail delivery failed|could not be delivered|can ?not be delivered|non-?deliver|returned to sender|delivery status|not (?:be )?delivered|unable to deliver|failed (?:mail|delivery)|permanent(?:ly)? (?:error|fail)`,
		// German
		`unzustellbar|nicht zugestellt|nicht zustellbar|zustellung (?:fehlgeschlagen|gescheitert)|konnte nicht (?:zugestellt|ausgeliefert)|fehler bei der zustellung|r[üu]ckl[äa]ufer`,
		// French
		`non (?:remis|d[ée]livr[ée]|distribu(?:é|e|able))|n'a pas pu [êe]tre (?:remis|d[ée]livr[ée]|distribu[ée])|[ée]chec (?:de (?:la )?)?(?:remise|livraison|distribution)|impossible de (?:remettre|d[ée]livrer|distribuer)`,
		// Spanish
		`no (?:se )?(?:pudo|ha podido|puede) (?:ser )?entregar|no (?:fue )?entregad[oa]|error (?:de|en la) entrega|imposible entregar|correo devuelto|devoluci[óo]n de correo`,
		// Italian
		`non (?:recapitat[oa]|consegnat[oa]|[èe] stato possibile (?:consegnare|recapitare))|impossibile (?:recapitare|consegnare)|mancat[oa] (?:recapito|consegna)|errore (?:di|nella) consegna`,
		// Portuguese
		`n[ãa]o (?:foi )?entregue|n[ãa]o (?:foi poss[íi]vel|p[ôo]de ser) entreg|falha (?:na|de) entrega|mensagem devolvida`,
		// Dutch
		`onbestelbaar|niet (?:afgeleverd|bezorgd)|kon niet worden (?:afgeleverd|bezorgd)|bezorging mislukt|aflevering mislukt`,
		// Russian
		`не доставлен|не может быть доставлен|не удалось доставить|недоставлен|ошибка доставки`,
		// Polish
		`nie dostarczon|nie (?:mo[żz]na|mog[łl]a zosta[ćc]) dostarczy|niedostarczon|b[łl][ąa]d dostarczenia`,
		// Japanese
		`配信でき|配送でき|届きませんでした|送信できませんでした|配信(?:に)?失敗|配送(?:に)?失敗|不達|配信不能|宛先不明`,
		// Chinese (simplified, traditional)
		`无法投递|投递失败|退信|未能送达|发送失败|無法傳遞|傳遞失敗|發送失敗|無法投遞|投遞失敗`,
	].join("|"),
	"i",
);

/**
 * A failure said of one recipient, on the line that names it: RFC 3463 §3.2 mailbox
 * and §3.3 system wording, in the same languages.
 */
export const RECIPIENT_FAILURE = new RegExp(
	[
		`user unknown|unknown (?:user|recipient|host|address)|no such (?:user|mailbox|address|recipient)|(?:mailbox|account|address) (?:is )?(?:unavailable|full|disabled|inactive|invalid|not found)|mailbox (?:is )?over|over (?:disk )?quota|quota exceeded|does not exist|not (?:found|known)|invalid (?:mailbox|recipient|address)|undeliverable|rejected|refused|no longer valid|wrong or no longer`,
		`unbekannt|existiert nicht|postfach (?:ist )?voll|inconnu|n'existe pas|bo[îi]te (?:aux lettres )?pleine|desconocid|no existe|buz[óo]n lleno|sconosciut|non esiste|casella piena|desconhecid|n[ãa]o existe|caixa (?:postal )?cheia|onbekend|bestaat niet|не существует|не найден|недоступ|переполнен|nie istnieje|nieznan|skrzynka (?:jest )?pe[łl]na|存在しません|見つかりません|不存在|已满|已滿`,
	].join("|"),
	"i",
);

/**
 * Delay warnings say the MTA is still trying (RFC 3464 §2.3.3 "delayed"): a notice that
 * says so is never a failure.
 */
export const DELAY =
	/\bdelayed\b|has not yet been delivered|not been delivered yet|will (?:continue to )?(?:be )?retr(?:y|ied)|delivery attempts will continue|warning message only|still trying|no action is required|verz[öo]gert|noch nicht zugestellt|retard[ée]|sigue intent|retrasad|ritardat|atrasad|vertraagd|задерж|op[óo][źz]nion|遅延|延迟|延遲/i;

/** Success DSNs and relay notices (RFC 3464 §2.3.3 delivered, relayed, expanded). */
export const SUCCESS =
	/successfully delivered|delivery (?:succeeded|successful)|was delivered (?:successfully|to)|has been delivered|relayed to|delivery to the following recipients? (?:succeeded|was successful)|erfolgreich zugestellt|remis avec succ[èe]s|entregado correctamente|consegnato correttamente/i;

/** Vacation and out-of-office wording (RFC 3834 auto-replies are not failures). */
export const AUTO_REPLY =
	/out of (?:the )?office|auto(?:matic)?[ -]?(?:reply|response|antwort)|autoreply|vacation|abwesenheit|absence|r[ée]ponse automatique|risposta automatica|respuesta autom[áa]tica|resposta autom[áa]tica|afwezig|не в офисе|автоответ|nieobecno|不在/i;

/**
 * The null reverse-path (RFC 5321 §4.5.5): Postfix's pipe(8) R flag writes it as
 * `Return-Path: <MAILER-DAEMON>`, other MTAs as `<>`.
 */
export function nullSender(message: Message): boolean {
	const path = header(message, "return-path");
	if (path === undefined) return false;
	const inner = path.trim().replace(/^</, "").replace(/>$/, "").trim();
	return inner === "" || inner.toLowerCase() === "mailer-daemon";
}

/** A multipart/report of delivery status (RFC 6522 §3, RFC 3464 §2, RFC 6533 §4). */
export function hasDeliveryStatus(message: Message): boolean {
	return message.parts.some(
		(p) =>
			p.mimeType === "message/delivery-status" ||
			p.mimeType === "message/global-delivery-status",
	);
}

/**
 * A non-delivery notice by its envelope and headers: the null sender or a mailer
 * daemon's From, a failure subject, or a delivery-status part.
 */
export function looksLikeNotice(message: Message): boolean {
	return (
		NOTICE_FROM.test(header(message, "from") ?? "") ||
		FAILURE.test(message.subject) ||
		hasDeliveryStatus(message) ||
		(nullSender(message) && FAILURE.test(message.text.slice(0, 4000)))
	);
}
