import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@tlp-broker/config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The one-time acknowledgement link a delivery of an urgent item carries inside its encrypted
 * message: `PUBLIC_URL/ack/<delivery id>.<MAC>`. The MAC is keyed from the audit key, which never
 * sits in PostgreSQL, so a link can be made only by the broker and read only by whoever decrypted
 * the message; once the organisation has acknowledged, every link of it only says so.
 */
@Injectable()
export class AcknowledgementLinks {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = Buffer.from(
      hkdfSync('sha256', config.audit.key, 'tlp-broker acknowledgement links', 'acknowledgement link v1', 32),
    );
  }

  token(deliveryId: string): string {
    return `${deliveryId}.${this.mac(deliveryId).toString('base64url')}`;
  }

  url(deliveryId: string): string {
    return `${this.config.http.publicUrl}/ack/${this.token(deliveryId)}`;
  }

  /** The delivery a token was made for, or null for anything the broker did not make. */
  deliveryOf(token: string): string | null {
    const [deliveryId, mac, ...rest] = token.split('.');
    if (rest.length > 0 || !deliveryId || !mac || !UUID.test(deliveryId)) return null;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(deliveryId);
    return given.length === expected.length && timingSafeEqual(given, expected) ? deliveryId : null;
  }

  private mac(deliveryId: string): Buffer {
    return createHmac('sha256', this.key).update(`acknowledge ${deliveryId}`).digest();
  }
}
