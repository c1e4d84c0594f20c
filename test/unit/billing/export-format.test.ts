import { describe, expect, it } from 'vitest';
import { csvCell, errorTrailer, exportFilename } from '../../../src/billing/export-format';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['=HYPERLINK("u","a,b")', `"'=HYPERLINK(""u"",""a,b"")"`],
    ['', ''],
  ])('writes the text %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes numbers (negative ones too), booleans and null as they are, unguarded', () => {
    expect([csvCell(-0.5), csvCell(12), csvCell(true), csvCell(null)]).toEqual(['-0.5', '12', 'true', '']);
  });
});

describe('an export', () => {
  it('names its file after its range, without characters a file system refuses', () => {
    expect(exportFilename(Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1, 12, 30), 'csv')).toBe('billing-logs_2026-01-01T000000Z_2026-02-01T123000Z.csv');
  });

  it('ends with an error line its format can carry', () => {
    const error = { message: 'stopped, early', type: 'server_error', code: 'internal_error' };
    expect(errorTrailer('ndjson', error)).toBe('{"error":{"message":"stopped, early","type":"server_error","param":null,"code":"internal_error"}}\n');
    expect(errorTrailer('csv', error)).toBe('#error,internal_error,"stopped, early"\r\n');
  });
});
