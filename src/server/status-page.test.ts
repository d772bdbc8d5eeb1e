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

  it('says when no trigger and no workload is known', () => {
    const html = renderStatusPage([], undefined, 0);
    expect(html).toContain('no trigger yet');
    expect(html).toContain('no workloads configured');
  });
});
