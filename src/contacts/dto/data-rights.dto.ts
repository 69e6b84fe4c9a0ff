import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { EMAIL_MAX_LENGTH, SUPPRESSION_REASON_MAX_LENGTH } from '../../common/limits.js';
import { PageOf } from '../../common/openapi.js';
import { TenantParams } from '../../tenants/dto/tenant.dto.js';
import { CONSENT_STATUSES, type ConsentStatus } from '../contact.entity.js';

/** Data-rights shapes of the contacts module (docs/data-rights.md). */

const ISO = { type: 'string', format: 'date-time' } as const;
const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class SuppressionView {
  @ApiProperty({
    description: "HMAC-SHA256 (hex) of the trimmed, lower-cased address under a key of this tenant alone; the list holds no address.",
    example: '9f2c0d6e5b1a…',
  })
  emailHash: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'hard bounce' })
  reason: string | null;

  @ApiProperty(ISO)
  createdAt: string;
}

export class SuppressionPage extends PageOf(SuppressionView) {}

export class AddSuppressionDto {
  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH, description: 'Trimmed and lower-cased, then hashed; never stored.', example: 'ada@example.com' })
  @Transform(trim)
  @IsEmail({}, { message: '$property must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  @IsString()
  email: string;

  @ApiPropertyOptional({ maxLength: SUPPRESSION_REASON_MAX_LENGTH, description: 'Free text (why the address is suppressed).', example: 'hard bounce' })
  @IsOptional()
  @MaxLength(SUPPRESSION_REASON_MAX_LENGTH)
  @IsString()
  reason?: string;
}

/** `{email}` in a path: the address itself, URL-encoded. */
export class SuppressionParams extends TenantParams {
  @ApiProperty({ maxLength: EMAIL_MAX_LENGTH, description: 'The suppressed address, URL-encoded (hashed the same way to find its entry).', example: 'ada@example.com' })
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  email: string;
}

export class SetConsentDto {
  @ApiProperty({ enum: CONSENT_STATUSES, enumName: 'ConsentStatus', description: '`withdrawn` stays until this route grants it again.' })
  @IsIn(CONSENT_STATUSES as unknown as string[], { message: `$property must be one of ${CONSENT_STATUSES.join(', ')}` })
  status: ConsentStatus;
}

export class MergeContactDto {
  @ApiProperty({ format: 'uuid', description: 'The contact merged into the one in the path; it answers 404 afterwards.' })
  @IsUUID('loose', { message: '$property must be a contact id (a UUID)' })
  from: string;
}
