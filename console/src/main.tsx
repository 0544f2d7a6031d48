import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

// The console's entry: one render into #app; everything else is driven by hash routes and polls.
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
