import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { SECRET_MAX_LENGTH } from '../../common/limits.js';

export class SignInDto {
  @ApiProperty({ description: 'ADMIN_API_TOKEN. Exchanged for the session cookie; never stored.', maxLength: SECRET_MAX_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(SECRET_MAX_LENGTH)
  token: string;
}

export class SessionView {
  @ApiProperty({
    description: 'Send as `X-CSRF-Token` on every request that changes state with the session cookie.',
    example: 'Zk3q…',
  })
  csrfToken: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When the session ends unless used again (12 h idle, at most 7 days after sign-in).',
  })
  expiresAt: string;
}
