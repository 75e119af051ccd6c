"""web: the people. Flask application factory, Folium maps, JSON API, persistence, i18n."""
