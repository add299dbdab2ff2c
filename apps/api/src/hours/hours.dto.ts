import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsTimestamp, SingleLine } from '../common/validators';

const TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export class OpeningSpanDto {
  @ApiProperty({ example: '09:00', description: 'Local time, HH:MM' })
  @Matches(TIME, { message: 'from must be a time HH:MM' })
  from!: string;

  @ApiProperty({ example: '18:00', description: 'Local time, HH:MM (24:00 for the end of the day); not included' })
  @Matches(TIME, { message: 'to must be a time HH:MM (or 24:00)' })
  to!: string;
}

const Spans = () => (target: object, property: string) => {
  ApiPropertyOptional({ type: [OpeningSpanDto] })(target, property);
  IsOptional()(target, property);
  IsArray({ message: `${property} must be a list of opening spans` })(target, property);
  ArrayMaxSize(4)(target, property);
  ValidateNested({ each: true })(target, property);
  Type(() => OpeningSpanDto)(target, property);
};

/** A weekday left out has no business hours. */
export class WeekDto {
  @Spans() monday?: OpeningSpanDto[];
  @Spans() tuesday?: OpeningSpanDto[];
  @Spans() wednesday?: OpeningSpanDto[];
  @Spans() thursday?: OpeningSpanDto[];
  @Spans() friday?: OpeningSpanDto[];
  @Spans() saturday?: OpeningSpanDto[];
  @Spans() sunday?: OpeningSpanDto[];
}

export class HolidayCalendarDto {
  @ApiProperty({
    example: 'FR',
    description: 'ISO 3166-1 alpha-2 country whose public holidays close the organisation',
  })
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as "FR"' })
  country!: string;

  @ApiPropertyOptional({ example: 'BY', description: 'A state or province with holidays of its own' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{1,10}$/, { message: 'state must be a short code such as "BY"' })
  state?: string;

  @ApiPropertyOptional({ description: 'A region within the state' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{1,10}$/, { message: 'region must be a short code' })
  region?: string;
}

/** An organisation's business hours. */
export class BusinessHoursDto {
  @ApiProperty({ example: 'Asia/Singapore', description: 'IANA time zone the week is read in' })
  @IsString()
  @MaxLength(100)
  timeZone!: string;

  @ApiProperty({ type: WeekDto, example: { monday: [{ from: '09:00', to: '18:00' }] } })
  @ValidateNested()
  @Type(() => WeekDto)
  week!: WeekDto;

  @ApiPropertyOptional({
    type: HolidayCalendarDto,
    nullable: true,
    description: 'Public holidays that close it; null: none',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => HolidayCalendarDto)
  holidays?: HolidayCalendarDto | null;
}

export class ClosureDto {
  @ApiProperty({ example: '2026-12-24T14:00:00+01:00' })
  @IsTimestamp()
  startsAt!: string;

  @ApiProperty({ example: '2026-12-26T09:00:00+01:00', description: 'Not included' })
  @IsTimestamp()
  endsAt!: string;

  @ApiProperty({ example: 'Office move' })
  @IsString()
  @Length(1, 200)
  @SingleLine()
  reason!: string;
}

export class AvailabilityQueryDto {
  @ApiPropertyOptional({ example: '2026-07-14T10:00:00+02:00', description: 'The instant asked about (default: now)' })
  @IsOptional()
  @IsTimestamp()
  at?: string;
}
