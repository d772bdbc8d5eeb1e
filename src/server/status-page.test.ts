import { escapeHtml, renderStatusPage } from './status-page';

describe('status page', () => {
  it('escapes every text that comes from metadata or errors', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;',
    );
    const html = renderStatusPage(
      [
        {
          namespace: 'shop',
          scaledObject: '<script>alert(1)</script>',
          decision: undefined,
          modelVersion: undefined,
          plot: '<svg></svg>',
        },
      ],
      [{ name: '<b>web</b>', namespace: 'shop', state: 'trained' }],
      0,
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>web</b>');
    expect(html).toContain('shop/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('no decision yet');
  });

  it('renders names, metric names, reasons, methods and workload states as text, never as markup', () => {
    const script = '<script>alert(1)</script>';
    const html = renderStatusPage(
      [
        {
          namespace: `"><img src=x onerror=alert(2)>`,
          scaledObject: script,
          decision: {
            metricName: script,
            source: 'prometheus',
            at: '2026-03-02T09:00:00.000Z',
            live: null,
            forecast: null,
            returned: null,
            target: 10,
            active: null,
            impliedReplicas: null,
            change: null,
            confidence: null,
            reason: `source down: queue "${script}" not found; KEDA applies the ScaledObject's fallback`,
            error: `queue "${script}" not found`,
          },
          modelVersion: undefined,
          plot: '<svg></svg>',
        },
        {
          namespace: 'shop',
          scaledObject: 'web',
          decision: {
            metricName: 'prometheus-web',
            source: 'prometheus',
            at: '2026-03-02T09:00:00.000Z',
            live: 4,
            forecast: { mean: 5, upper: 6, quantile: 0.9, at: '2026-03-02T09:03:00.000Z', method: script },
            returned: 6,
            target: 1,
            active: true,
            impliedReplicas: 6,
            change: null,
            confidence: null,
            reason: 'forecast 6 in 3m (q0.9), above live 4: holding 6 replicas',
          },
          modelVersion: 1,
          plot: '<svg></svg>',
        },
      ],
      [{ name: script, namespace: 'shop', state: `cpu: failing (${script})` }],
      0,
    );
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).not.toContain('onerror=alert(2)>');
    const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';
    // The ScaledObject, its metric, the reason quoting the error, the forecast method, the workload's name
    // and its state: every one shown, as text.
    expect(html.split(escaped).length - 1).toBe(6);
    expect(html).toContain('href="/v1/decisions/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E/');
  });

  it('says when no trigger and no workload is known', () => {
    const html = renderStatusPage([], undefined, 0);
    expect(html).toContain('no trigger yet');
    expect(html).toContain('no workloads configured');
  });
});
