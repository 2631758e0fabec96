import { formatDate, formatSeconds, isoToLocalInput, localInputToIso, relativeTo, splitList } from './format';

describe('console formatting', () => {
  it('writes windows and grace periods in the largest whole unit', () => {
    expect(formatSeconds(3600)).toBe('1 hour');
    expect(formatSeconds(604800)).toBe('7 days');
    expect(formatSeconds(90)).toBe('90 seconds');
    expect(formatSeconds(120)).toBe('2 minutes');
    expect(formatSeconds(1)).toBe('1 second');
  });

  it('says how far an instant is from now', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(relativeTo('2026-11-23T11:57:00Z', now)).toBe('3 minutes ago');
    expect(relativeTo('2026-11-25T12:00:00Z', now)).toBe('in 2 days');
    expect(relativeTo(null, now)).toBe('');
  });

  it('shows the date part of an instant in the viewer\'s zone', () => {
    expect(formatDate('2027-03-04T12:00:00Z')).toMatch(/^2027-03-0[345]$/);
    expect(formatDate(null)).toBe('—');
  });

  it('round-trips a datetime-local value through an ISO instant', () => {
    const local = isoToLocalInput('2027-03-04T05:06:00.000Z');
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(localInputToIso(local)).toBe('2027-03-04T05:06:00.000Z');
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('not a date')).toBeNull();
  });

  it('splits address lists on commas, spaces and lines', () => {
    expect(splitList(' 10.0.0.1,10.0.0.2\n\n2001:db8::/32  ')).toEqual(['10.0.0.1', '10.0.0.2', '2001:db8::/32']);
  });
});
