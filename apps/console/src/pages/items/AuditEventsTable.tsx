import type { Schemas } from '../../api/client';
import { useDateTime } from '../../i18n/format';
import { summariseDetails } from './audit-summary';

/** The column headings, in the screen's own words. */
export interface AuditHeadings {
  time: string;
  actor: string;
  action: string;
  details: string;
}

/**
 * An audit trail as a table, oldest first: when, who, what, and the event's details in words.
 * Named by a caption, or by `ariaLabel` where the section's heading already says what it is.
 */
export function AuditEventsTable(props: {
  events: readonly Schemas['AuditEventView'][];
  headings: AuditHeadings;
  caption?: string;
  ariaLabel?: string;
}) {
  const date = useDateTime();
  return (
    <div className="items-scroll">
      <table aria-label={props.ariaLabel} className="item-audit">
        {props.caption && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            <th scope="col">{props.headings.time}</th>
            <th scope="col">{props.headings.actor}</th>
            <th scope="col">{props.headings.action}</th>
            <th scope="col">{props.headings.details}</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((event) => (
            <tr key={event.seq}>
              <td className="items-nowrap">{date(event.at)}</td>
              <td>{event.actor}</td>
              <td className="mono">{event.action}</td>
              <td>
                {summariseDetails(event.details, date)
                  .map((part) => `${part.key}: ${part.value}`)
                  .join(' · ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
