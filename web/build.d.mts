/** The web page's build (build.mjs): its files by name, and which of them are the entry script and style sheet. */
export interface WebAppBuild {
  files: Map<string, Uint8Array>;
  manifest: { script: string; style: string };
}

export function buildWebApp(options?: { outdir?: string }): Promise<WebAppBuild>;
