/** What the service hands the page in the data attributes of its mount point (src/modules/web-app/index-html.ts). */
export interface Settings {
  serviceName: string;
  passwordMin: number;
  passwordMax: number;
}

export function readSettings(root: HTMLElement): Settings {
  return {
    serviceName: root.dataset.serviceName ?? '',
    passwordMin: Number(root.dataset.passwordMin ?? 8),
    passwordMax: Number(root.dataset.passwordMax ?? 256),
  };
}
