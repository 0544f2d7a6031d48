import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/**
 * Short confirmations after an action ("cluster store-0001 accepted"), shown in one polite live
 * region so screen readers announce them without moving focus.
 */
export type Notify = (message: string) => void;

/** Provided by the app shell. */
export const NoticeContext = createContext<Notify>(() => undefined);

/** The notify function of the app shell. */
export function useNotify(): Notify {
  return useContext(NoticeContext);
}
