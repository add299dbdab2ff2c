import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { MAX_PASSWORD_LENGTH } from '@tlp-broker/persistence';

export class SignInDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ example: 'correct horse battery staple', format: 'password' })
  @IsString()
  @Length(1, MAX_PASSWORD_LENGTH)
  password!: string;

  @ApiPropertyOptional({
    example: '492039',
    description: 'the current code of the authenticator; required once one is enrolled',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  code?: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '492039', description: 'the current code of the authenticator being enrolled' })
  @IsString()
  @MaxLength(16)
  code!: string;
}
