export * from './usage-series.projection';
export * from './usage-series.service';
