/** Entry: the chat at `/`, the cluster dashboard at `/dashboard`. */
import { render } from 'preact';
import './style.css';
import { ChatApp } from './chat/ChatApp.js';
import { Dashboard } from './dashboard/Dashboard.js';

const root = document.getElementById('app') as HTMLElement;
render(location.pathname.startsWith('/dashboard') ? <Dashboard /> : <ChatApp />, root);
