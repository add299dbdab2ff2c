import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length } from 'class-validator';
import { SingleLine } from '../common/validators';
import { ROLES, Role } from '@tlp-broker/domain';

export class CreateUserDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Length(1, 100)
  @SingleLine()
  name!: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['analyst'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'roles must list at least one role' })
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each role must be one of: ${ROLES.join(', ')}` })
  roles!: Role[];
}
