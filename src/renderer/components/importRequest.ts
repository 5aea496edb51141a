// Turns the import form's fields into a `history.import` request. Time zone, bar stamp and column
// names describe a generic CSV only; the vendor formats fix them, so they are not sent for those.
import type { RequestOf } from '../../shared/contract';

export type ImportRequest = RequestOf<'history.import'>;
export type ImportFormat = ImportRequest['format'];
export type BarStamp = NonNullable<ImportRequest['stamp']>;
export type ColumnName = keyof NonNullable<ImportRequest['columns']>;

export const IMPORT_COLUMNS: readonly ColumnName[] = ['time', 'open', 'high', 'low', 'close', 'volume'];

export interface ImportFormFields {
  path: string;
  format: ImportFormat;
  symbol: string;
  timeZone: string;
  stamp: BarStamp;
  /** Header names per field; blank means "find it by its usual name". */
  columns: Readonly<Record<ColumnName, string>>;
}

export function importRequest(form: ImportFormFields): ImportRequest {
  const request: ImportRequest = {
    path: form.path.trim(),
    format: form.format,
    symbol: form.symbol.trim().toUpperCase(),
  };
  if (form.format !== 'csv') return request;
  const columns: Partial<Record<ColumnName, string>> = {};
  for (const c of IMPORT_COLUMNS) {
    const name = form.columns[c].trim();
    if (name !== '') columns[c] = name;
  }
  return {
    ...request,
    timeZone: form.timeZone.trim() || 'UTC',
    stamp: form.stamp,
    ...(Object.keys(columns).length > 0 ? { columns } : {}),
  };
}
