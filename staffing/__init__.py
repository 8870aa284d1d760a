"""Volume forecast, Erlang C requirements, shifts, attendance and leave."""
