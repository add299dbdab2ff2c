import { useMutation, useQuery, useQueryClient, UseQueryOptions } from '@tanstack/react-query';

/**
 * Reads through the generated client with react-query: `key` names the data (for refreshing it
 * after a change), `read` is a call such as `() => unwrap(api.GET('/items'))`.
 */
export function useRead<T>(key: readonly unknown[], read: () => Promise<T>, options: Partial<UseQueryOptions<T>> = {}) {
  return useQuery<T>({ queryKey: key, queryFn: read, ...options });
}

/** A change through the API; the reads named in `refresh` are fetched again once it succeeds. */
export function useChange<I, O>(change: (input: I) => Promise<O>, refresh: readonly (readonly unknown[])[] = []) {
  const client = useQueryClient();
  return useMutation<O, Error, I>({
    mutationFn: change,
    onSuccess: async () => {
      await Promise.all(refresh.map((key) => client.invalidateQueries({ queryKey: key })));
    },
  });
}
