import { ForbiddenException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../test/support/errors';
import { partnerPrincipal, staffPrincipal } from '../../../../test/support/mocks';
import { authorise } from './authorisation';

const analyst = staffPrincipal(['analyst', 'approver']);
const partner = partnerPrincipal(['taxii', 'misp']);

const refusal = (work: () => void): string => thrown(work, ForbiddenException).message;

describe('authorise', () => {
  it('admits a team member holding one of the route’s roles', () => {
    expect(() => authorise({ kind: 'staff', roles: ['admin', 'approver'] }, analyst)).not.toThrow();
  });

  it('refuses a team member without the role, naming the roles', () => {
    expect(refusal(() => authorise({ kind: 'staff', roles: ['admin'] }, analyst))).toBe(
      'this route requires the role admin',
    );
    expect(refusal(() => authorise({ kind: 'staff', roles: ['admin', 'analyst'] }, { ...analyst, roles: [] }))).toBe(
      'this route requires the role admin or analyst',
    );
  });

  it('refuses a partner credential on a staff route', () => {
    expect(refusal(() => authorise({ kind: 'staff', roles: ['analyst'] }, partner))).toBe(
      'this route requires the role analyst',
    );
  });

  it('admits a partner credential holding the route’s scope, and refuses one without it, naming the scope', () => {
    expect(() => authorise({ kind: 'partner', scope: 'taxii' }, partner)).not.toThrow();
    expect(refusal(() => authorise({ kind: 'partner', scope: 'feed' }, partner))).toBe(
      'this credential does not have the scope "feed"',
    );
  });

  it('admits a credential holding any of the scopes a route takes, and names them all when it holds none', () => {
    expect(() => authorise({ kind: 'partner', scope: ['submit', 'taxii'] }, partner)).not.toThrow();
    expect(refusal(() => authorise({ kind: 'partner', scope: ['feed', 'submit'] }, partner))).toBe(
      'this credential does not have the scope "feed" or "submit"',
    );
  });

  it('refuses a team member on a partner route', () => {
    expect(refusal(() => authorise({ kind: 'partner', scope: 'feed' }, analyst))).toBe(
      'this route is for partners pulling their own feed',
    );
  });

  it('admits either a member with one of the roles or a credential with the scope on a route open to both', () => {
    const either = { kind: 'staff-or-partner', roles: ['reporter', 'analyst'], scope: 'submit' } as const;
    expect(() => authorise(either, analyst)).not.toThrow();
    expect(() => authorise(either, staffPrincipal(['reporter']))).not.toThrow();
    expect(() => authorise(either, partnerPrincipal(['submit']))).not.toThrow();
    expect(refusal(() => authorise(either, staffPrincipal(['admin'])))).toBe(
      'this route requires the role reporter or analyst',
    );
    expect(refusal(() => authorise(either, partner))).toBe('this credential does not have the scope "submit"');
  });
});
