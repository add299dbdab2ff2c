import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class SubmissionDto {
  @ApiProperty({
    description:
      'Signed material: `gpg --clearsign` or `gpg --sign --armor` output, signed with a key registered for your organisation',
  })
  @IsString()
  @Length(1, 1_500_000)
  message!: string;
}
