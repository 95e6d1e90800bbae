import { describe, expect, it } from 'vitest';
import { decimalAmount, formatAmount, formatRate } from '../../src/billing/billing-explanation.models.ts';

describe('amounts in explanations', () => {
  it('writes minor units as a decimal string with two decimals and no grouping', () => {
    expect(decimalAmount(135_000)).toBe('1350.00');
    expect(decimalAmount(5)).toBe('0.05');
    expect(decimalAmount(0)).toBe('0.00');
    expect(decimalAmount(-2_550)).toBe('-25.50');
  });

  it('groups thousands with a space and puts the currency code after, whatever the locale', () => {
    expect(formatAmount(135_000, 'SEK')).toBe('1 350.00 SEK');
    expect(formatAmount(123_456_789, 'NOK')).toBe('1 234 567.89 NOK');
    expect(formatAmount(99_999, 'EUR')).toBe('999.99 EUR');
    expect(formatAmount(-100_000, 'EUR')).toBe('-1 000.00 EUR');
  });

  it('writes whole hourly rates without decimals and others with them', () => {
    expect(formatRate(135_000, 'SEK')).toBe('1 350 SEK/h');
    expect(formatRate(16_650, 'EUR')).toBe('166.50 EUR/h');
    expect(formatRate(0, 'NOK')).toBe('0 NOK/h');
  });
});
