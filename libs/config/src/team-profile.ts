import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BusinessHours, OFFICE_WEEK, describeBusinessHours, parseBusinessHours } from '@tlp-broker/hours';

/**
 * The team's RFC 2350 description (and what security.txt says), from TEAM_PROFILE_FILE (JSON).
 * Every field has a default built from the team's name and address, so a broker runs without one;
 * a team fills in the file before it publishes the profile.
 */
export interface TeamProfile {
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
  readonly address: string | null;
  readonly timeZone: string;
  /** The team's office hours (in `timeZone`): urgent reports outside them go to the duty officer. */
  readonly businessHours: BusinessHours;
  /** How the team is reached, in words (RFC 2350 §2.11); by default, the business hours described. */
  readonly hours: string;
  readonly languages: readonly string[];
  readonly mission: string;
  readonly constituency: string;
  readonly affiliation: string | null;
  readonly authority: string | null;
  readonly services: readonly string[];
  readonly incidentReporting: string;
  readonly disclosure: string;
  /** Days ahead for security.txt's Expires (under a year, RFC 9116). */
  readonly securityTxtDays: number;
  /** RFC 2350 §1.1, YYYY-MM-DD; null: the team key's creation date. */
  readonly lastUpdated: string | null;
}

const text = (max: number) => z.string().trim().min(1).max(max);

const profileSchema = z
  .object({
    name: text(200).optional(),
    email: z.string().trim().email('must be an e-mail address').optional(),
    phone: text(100).nullable().optional(),
    address: text(500).nullable().optional(),
    timeZone: z
      .string()
      .trim()
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Europe/Paris')
      .optional(),
    hours: text(500).optional(),
    /** `{ week, holidays }` as in an organisation's business hours; the time zone is `timeZone`. */
    businessHours: z.object({ week: z.unknown().optional(), holidays: z.unknown().optional() }).strict().optional(),
    languages: z
      .array(
        z
          .string()
          .trim()
          .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be language tags such as "fr" or "en"'),
      )
      .min(1)
      .optional(),
    mission: text(2000).optional(),
    constituency: text(2000).optional(),
    affiliation: text(500).nullable().optional(),
    authority: text(1000).nullable().optional(),
    services: z.array(text(300)).min(1).optional(),
    incidentReporting: text(1000).optional(),
    disclosure: text(2000).optional(),
    securityTxtDays: z.number().int().min(1).max(364).optional(),
    lastUpdated: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
      .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'must be a real date')
      .optional(),
  })
  .strict();

/** The team's office hours: by default Monday to Friday, 09:00 to 18:00, closed on French public holidays. */
function teamBusinessHours(
  timeZone: string,
  given: { week?: unknown; holidays?: unknown } | undefined,
): { hours: BusinessHours } | { problems: string[] } {
  const hours = parseBusinessHours({
    timeZone,
    week: given?.week ?? OFFICE_WEEK,
    holidays: given?.holidays === undefined ? { country: 'FR' } : given.holidays,
  });
  if ('problems' in hours)
    return { problems: hours.problems.map((problem) => `TEAM_PROFILE_FILE businessHours.${problem}`) };
  return hours;
}

function readProfileFile(file: string | undefined): { json: unknown } | { problems: string[] } {
  if (!file) return { json: {} };
  try {
    return { json: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (error) {
    return {
      problems: [
        `TEAM_PROFILE_FILE ${file} cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`,
      ],
    };
  }
}

/** Reads and checks the profile; problems are returned as messages naming the field. */
export function loadTeamProfile(
  file: string | undefined,
  team: { name: string; email: string },
): { profile: TeamProfile } | { problems: string[] } {
  const raw = readProfileFile(file);
  if ('problems' in raw) return raw;
  const parsed = profileSchema.safeParse(raw.json);
  if (!parsed.success)
    return {
      problems: parsed.error.issues.map(
        (issue) => `TEAM_PROFILE_FILE ${issue.path.join('.') || '(file)'} ${issue.message}`,
      ),
    };
  const p = parsed.data;
  const timeZone = p.timeZone ?? 'Europe/Paris';
  const hours = teamBusinessHours(timeZone, p.businessHours);
  if ('problems' in hours) return hours;
  return {
    profile: {
      name: p.name ?? team.name,
      email: p.email ?? team.email,
      phone: p.phone ?? null,
      address: p.address ?? null,
      timeZone,
      businessHours: hours.hours,
      hours:
        p.hours ??
        `${describeBusinessHours(hours.hours)}; partners reach the duty officer at any time for urgent matters`,
      languages: p.languages ?? ['fr', 'en'],
      mission:
        p.mission ??
        'Share cyber-threat alerts, advisories and intelligence with partner teams, under the Traffic Light Protocol.',
      constituency:
        p.constituency ??
        "The team's own investigation units, and partner CSIRTs, CERTs and law-enforcement cyber teams.",
      affiliation: p.affiliation ?? null,
      authority: p.authority ?? null,
      services: p.services ?? [
        'Alerts and advisories',
        'Threat intelligence sharing (e-mail, webhooks, JSON, TAXII 2.1, MISP feed)',
        'Coordination with partner teams',
      ],
      incidentReporting: p.incidentReporting ?? `E-mail ${p.email ?? team.email}, encrypted to the team's OpenPGP key.`,
      disclosure:
        p.disclosure ??
        "Information is shared under TLP 2.0 (FIRST). Anything above TLP:CLEAR leaves only signed and encrypted to the recipient's own key, and only to recipients the label allows.",
      securityTxtDays: p.securityTxtDays ?? 180,
      lastUpdated: p.lastUpdated ?? null,
    },
  };
}
