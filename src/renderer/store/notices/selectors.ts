// Atomic selectors over the notices slice.
import type { NoticesStore } from './store';

export const noticesSelectors = {
  notices: (s: NoticesStore) => s.notices,
  latest: (s: NoticesStore) => s.notices[0] ?? null,
  count: (s: NoticesStore) => s.notices.length,
  errorCount: (s: NoticesStore) => s.notices.filter((n) => n.level === 'error').length,
};
