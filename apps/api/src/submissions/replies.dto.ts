import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class ReplyDto {
  @ApiProperty({
    description:
      "The reply as plain text. It goes to the sender signed by the team and encrypted to the sender's key, quoting the submission's reference.",
    example: 'Thank you. Could you send the full headers of the phishing e-mail?',
  })
  @IsString()
  @Length(1, 20_000)
  @Matches(/\S/, { message: 'body must hold some text, not only blanks' })
  body!: string;
}
