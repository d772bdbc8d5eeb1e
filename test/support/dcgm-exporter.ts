import { startExporter, type TestExporter } from './exporter';

/** One GPU as the NVIDIA DCGM exporter describes it. Values may be changed while the exporter runs. */
export interface FakeGpu {
  gpu: string;
  uuid: string;
  hostname: string;
  modelName?: string;
  /** Set while a pod holds the GPU (dcgm-exporter's Kubernetes pod mapping); absent otherwise. */
  pod?: { namespace: string; pod: string; container: string };
  /** DCGM_FI_DEV_GPU_UTIL, percent. */
  utilization: number;
  /** DCGM_FI_DEV_FB_USED, MiB. */
  fbUsedMiB: number;
  /** DCGM_FI_DEV_FB_FREE, MiB. */
  fbFreeMiB: number;
  /** DCGM_FI_DEV_GPU_TEMP, degrees Celsius. */
  temperature: number;
}

export interface DcgmExporter extends TestExporter {
  gpus: FakeGpu[];
}

const SERIES: Array<[name: string, help: string, read: (gpu: FakeGpu) => number]> = [
  ['DCGM_FI_DEV_GPU_UTIL', 'GPU utilization (in %).', (gpu) => gpu.utilization],
  ['DCGM_FI_DEV_FB_FREE', 'Framebuffer memory free (in MiB).', (gpu) => gpu.fbFreeMiB],
  ['DCGM_FI_DEV_FB_USED', 'Framebuffer memory used (in MiB).', (gpu) => gpu.fbUsedMiB],
  ['DCGM_FI_DEV_GPU_TEMP', 'GPU temperature (in C).', (gpu) => gpu.temperature],
];

/**
 * A stand-in for dcgm-exporter's `/metrics`: the series names, label names and text format the real
 * exporter writes (gpu, UUID, device, modelName, Hostname, DCGM_FI_DRIVER_VERSION, and namespace / pod /
 * container when a pod holds the GPU), rendered from `gpus` at each scrape.
 */
export async function startDcgmExporter(gpus: FakeGpu[]): Promise<DcgmExporter> {
  const exporter = await startExporter(() => renderDcgm(gpus));
  return { ...exporter, gpus };
}

export function renderDcgm(gpus: FakeGpu[]): string {
  const lines: string[] = [];
  for (const [name, help, read] of SERIES) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const gpu of gpus) lines.push(`${name}{${labels(gpu)}} ${read(gpu)}`);
  }
  return `${lines.join('\n')}\n`;
}

function labels(gpu: FakeGpu): string {
  const pairs: Array<[string, string]> = [
    ['gpu', gpu.gpu],
    ['UUID', gpu.uuid],
    ['device', `nvidia${gpu.gpu}`],
    ['modelName', gpu.modelName ?? 'NVIDIA A100-SXM4-80GB'],
    ['Hostname', gpu.hostname],
    ['DCGM_FI_DRIVER_VERSION', '550.54.15'],
  ];
  if (gpu.pod)
    pairs.push(['container', gpu.pod.container], ['namespace', gpu.pod.namespace], ['pod', gpu.pod.pod]);
  return pairs.map(([key, value]) => `${key}="${value}"`).join(',');
}
