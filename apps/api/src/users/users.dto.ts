import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@tlp-broker/persistence';
import { SingleLine } from '../common/validators';
import { STAFF_ROLES, StaffRole } from '@tlp-broker/domain';

export class CreateUserDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Length(1, 100)
  @SingleLine()
  name!: string;

  @ApiProperty({ enum: STAFF_ROLES, isArray: true, example: ['analyst'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'roles must list at least one role' })
  @ArrayUnique()
  // A reporter's portal account belongs to a contact: POST /organisations/:id/contacts/:contactId/portal-account.
  @IsIn(STAFF_ROLES, { each: true, message: `each role must be one of: ${STAFF_ROLES.join(', ')}` })
  roles!: StaffRole[];

  @ApiPropertyOptional({
    format: 'password',
    description: `the member's console password (at least ${MIN_PASSWORD_LENGTH} characters); without one, the member cannot sign in to the console`,
  })
  @IsOptional()
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, {
    message: `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`,
  })
  password?: string;
}
