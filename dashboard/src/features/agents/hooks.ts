import { useMutation, useQuery } from '@tanstack/react-query';
import { agentsApi } from '../../api/endpoints';
import { queryKeys } from '../../api/queryKeys';
import { notifySuccess } from '../../components/notify';
import type { Agent } from '../../api/types';
import { liveQuery, queryClient } from '../../app/queryClient';

export function useAgents() {
  return useQuery({ queryKey: queryKeys.agents, queryFn: liveQuery(queryKeys.agents, agentsApi.list) });
}

function remember(agent: Agent) {
  queryClient.setQueryData<Agent[]>(queryKeys.agents, (list) =>
    list ? [...list.filter((a) => a.id !== agent.id), agent] : list,
  );
}

export function useCreateAgent() {
  return useMutation({
    mutationFn: (name: string) => agentsApi.create(name),
    // The created answer carries the connection; the cached agent is the plain entity.
    onSuccess: (created) => {
      void agentsApi.get(created.id).then(remember, () => undefined);
    },
  });
}

/**
 * Issues the agent a new broker credential; the answer carries its new connection, shown once.
 * The old credential stops working at once, so the agents are read again (the row's status follows).
 */
export function useRotateAgentToken() {
  return useMutation({
    mutationFn: (id: string) => agentsApi.rotateToken(id),
    // Not awaited: the new settings show at once, the list follows.
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.agents }),
  });
}

export function useRenameAgent(id: string) {
  return useMutation({ mutationFn: (name: string) => agentsApi.rename(id, name), onSuccess: remember });
}

/**
 * Deletes an agent and says so. The notice is given here, not by the caller: the live event of
 * the deletion may remove the agent's row (and the button that asked) before the answer arrives,
 * and a caller's own callbacks do not run once it is gone.
 */
export function useDeleteAgent() {
  return useMutation({
    mutationFn: (agent: Pick<Agent, 'id' | 'name'>) => agentsApi.remove(agent.id),
    onSuccess: (_, agent) => {
      queryClient.setQueryData<Agent[]>(queryKeys.agents, (list) => list?.filter((a) => a.id !== agent.id));
      notifySuccess(`Agent ${agent.name} was deleted.`);
    },
  });
}
