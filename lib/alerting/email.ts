import "server-only";
/**
 * Sends alert notifications as email through the configured SMTP server (FLEETSCOPE_SMTP_URL),
 * with nodemailer. The outbox holds email notifications like webhook ones (the same v4 payload);
 * their receiver is `mailto:` and the recipients, so the delivery log says who was written to.
 * lib/alerting/delivery.ts retries, backs off and logs them as it does webhooks.
 */
import nodemailer, { type Transporter } from "nodemailer";
import { emailOf } from "../alerts/email";
import type { WebhookPayload } from "../alerts/webhook";

export const EMAIL_SCHEME = "mailto:";
/** Connecting, the greeting, and each command's answer: each at most this long. */
export const SMTP_TIMEOUT_MS = 10_000;

export interface EmailSettings {
  /** smtp:// or smtps://, with user and password in it when the server wants them. */
  smtpUrl: string;
  to: string[];
  from: string;
}

/** The outbox receiver for these recipients. */
export const emailReceiver = (to: readonly string[]): string => `${EMAIL_SCHEME}${to.join(",")}`;

export class EmailSender {
  private readonly transport: Transporter;

  constructor(private readonly settings: EmailSettings) {
    this.transport = nodemailer.createTransport({ url: settings.smtpUrl, connectionTimeout: SMTP_TIMEOUT_MS, greetingTimeout: SMTP_TIMEOUT_MS, socketTimeout: SMTP_TIMEOUT_MS });
  }

  /** Sends the stored payload to the receiver's recipients; resolves with the server's answer ("250 …"). */
  async send(receiver: string, payload: string): Promise<string> {
    const to = receiver.slice(EMAIL_SCHEME.length).split(",").filter((a) => a !== "");
    const mail = emailOf(JSON.parse(payload) as WebhookPayload);
    const info = (await this.transport.sendMail({ from: this.settings.from, to, subject: mail.subject, text: mail.text })) as { response?: string };
    return info.response ?? "sent";
  }
}
