import { GIB, MIB, cpuQuantity, memoryQuantity, parseQuantity, quantityOf } from './units';

describe('cpuQuantity: cores to millicores, rounded up', () => {
  it.each<[number, string, number]>([
    [0.25, '250m', 0.25],
    [0.2431, '250m', 0.25],
    // Floating-point noise does not push a value to the next step.
    [0.1 + 0.15, '250m', 0.25],
    [0.25000000000003, '250m', 0.25],
    [0.2501, '260m', 0.26],
    [0.001, '10m', 0.01],
    [1, '1', 1],
    [1.0001, '1010m', 1.01],
    [1.5, '1500m', 1.5],
    [9.991, '10', 10],
    // From 10 cores the step is 100m.
    [10.01, '10100m', 10.1],
    [12, '12', 12],
    [12.34, '12400m', 12.4],
    [63.999, '64', 64],
  ])('%d cores → %s', (cores, text, value) => {
    const quantity = cpuQuantity(cores);
    expect(quantity.text).toBe(text);
    expect(quantity.value).toBeCloseTo(value, 9);
    expect(quantity.value).toBeGreaterThanOrEqual(cores - 1e-9);
  });

  it.each([0, -1, NaN, Infinity, -Infinity])('%d → the smallest step, 10m', (cores) => {
    expect(cpuQuantity(cores)).toEqual({ value: 0.01, text: '10m' });
  });
});

describe('memoryQuantity: bytes to Mi, rounded up, whole Gi as Gi', () => {
  it.each<[number, string]>([
    [1, '1Mi'],
    [MIB, '1Mi'],
    [MIB + 1, '2Mi'],
    [300 * MIB, '300Mi'],
    [512 * MIB, '512Mi'],
    [512 * MIB + 1, '513Mi'],
    [1023.5 * MIB, '1Gi'],
    [GIB, '1Gi'],
    // From 1Gi the step is 64Mi.
    [GIB + 1, '1088Mi'],
    [1.5 * GIB, '1536Mi'],
    [2 * GIB - 1, '2Gi'],
    [2 * GIB, '2Gi'],
    [2.5 * GIB, '2560Mi'],
    [6 * GIB + 65 * MIB, '6272Mi'],
    [64 * GIB, '64Gi'],
  ])('%d bytes → %s', (bytes, text) => {
    const quantity = memoryQuantity(bytes);
    expect(quantity.text).toBe(text);
    expect(quantity.value).toBeGreaterThanOrEqual(bytes);
    // Rounding adds less than one step: 1Mi below 1Gi, 64Mi above.
    expect(quantity.value - bytes).toBeLessThan(bytes < GIB ? MIB : 64 * MIB);
  });

  it.each([0, -5, NaN, Infinity])('%d → the smallest step, 1Mi', (bytes) => {
    expect(memoryQuantity(bytes)).toEqual({ value: MIB, text: '1Mi' });
  });

  it('quantityOf picks the unit by resource', () => {
    expect(quantityOf('cpu', 0.5).text).toBe('500m');
    expect(quantityOf('memory', 0.5 * GIB).text).toBe('512Mi');
  });
});

describe('parseQuantity: a Kubernetes quantity in cores or bytes', () => {
  it.each<['cpu' | 'memory', string, number]>([
    ['cpu', '0.5', 0.5],
    ['cpu', '500m', 0.5],
    ['cpu', '2', 2],
    ['cpu', '.25', 0.25],
    ['cpu', ' 1500m ', 1.5],
    ['memory', '536870912', 512 * MIB],
    ['memory', '512Mi', 512 * MIB],
    ['memory', '1Gi', GIB],
    ['memory', '1.5Gi', 1.5 * GIB],
    ['memory', '64Ki', 64 * 1024],
    ['memory', '1G', 1e9],
    ['memory', '500M', 5e8],
    ['memory', '100k', 1e5],
    ['memory', '100K', 1e5],
  ])('%s %j → %d', (resource, text, value) => {
    expect(parseQuantity(resource, text)).toBeCloseTo(value, 9);
  });

  it.each<['cpu' | 'memory', string, string]>([
    ['cpu', '512Mi', '"512Mi" is not a quantity of CPU cores as a number or millicores, e.g. 0.5 or 500m'],
    ['cpu', 'half', '"half" is not a quantity of CPU cores'],
    ['cpu', '', '"" is not a quantity of CPU cores'],
    ['cpu', '-1', '"-1" is not a quantity of CPU cores'],
    ['cpu', '0', '"0" is not above 0: expected CPU cores'],
    ['cpu', '0m', '"0m" is not above 0'],
    ['memory', '512m', '"512m" is not a quantity of memory bytes'],
    ['memory', '512MB', '"512MB" is not a quantity of memory bytes'],
    ['memory', '1e9', '"1e9" is not a quantity of memory bytes'],
    ['memory', '0Mi', '"0Mi" is not above 0: expected memory bytes'],
  ])('%s %j is refused: %s', (resource, text, message) => {
    expect(() => parseQuantity(resource, text)).toThrow(message);
  });
});
