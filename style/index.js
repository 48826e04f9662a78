import './base.css';
import './explorer.css';
import './histogram.css';
