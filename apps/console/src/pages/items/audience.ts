import { useMemo } from 'react';
import { api, unwrap } from '../../api/client';
import { useRead } from '../../components/useApi';

export interface AudienceNames {
  organisation(id: string): string;
  contact(id: string): string;
}

/** Names for the organisation and contact ids in an audience, from the partner directory (the id while it loads). */
export function useAudienceNames(): AudienceNames {
  const organisations = useRead(['organisations'], () => unwrap(api.GET('/organisations')), { staleTime: 60_000 });
  return useMemo(() => {
    const names = new Map<string, string>();
    const contacts = new Map<string, string>();
    for (const organisation of organisations.data ?? []) {
      names.set(organisation.id, organisation.name);
      for (const contact of organisation.contacts) contacts.set(contact.id, `${contact.name} (${organisation.name})`);
    }
    return {
      organisation: (id) => names.get(id) ?? id,
      contact: (id) => contacts.get(id) ?? id,
    };
  }, [organisations.data]);
}
