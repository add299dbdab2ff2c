import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { COMMUNITY_PATTERN } from '../organisations/organisations.dto';

export class CreateCaveatDto {
  @ApiProperty({ example: 'operation-nightfall', description: 'Lower-case name used on items and in accreditations' })
  @Matches(COMMUNITY_PATTERN, { message: 'name must be lower-case letters, digits and "-" (e.g. "judicial-secret")' })
  name!: string;

  @ApiProperty({ example: 'Only for the services working on operation Nightfall' })
  @IsString()
  @Length(1, 500)
  description!: string;
}
