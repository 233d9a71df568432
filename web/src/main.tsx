// The web page's entry: the service's settings from the mount point's data attributes, then the app.
import { render } from 'preact';
import './styles.css';
import { App } from './app.tsx';
import { isLocale, setLocale } from './i18n.ts';
import { readSettings } from './settings.ts';

const root = document.getElementById('app')!;
// The service chose it from the browser's languages (Accept-Language), else its DEFAULT_LOCALE.
const asked = root.dataset.locale ?? root.dataset.defaultLocale;
setLocale(isLocale(asked) ? asked : 'en');
const settings = readSettings(root);
root.replaceChildren();
render(<App settings={settings} />, root);
