"""`resource PageView { database = analytics; }`: PageView lives in the
analytics database and nothing else does."""

ANALYTICS_MODELS = {"pageview"}


class AnalyticsRouter:
    def _database(self, model):
        if model._meta.app_label == "blog" and model._meta.model_name in ANALYTICS_MODELS:
            return "analytics"
        return "default"

    def db_for_read(self, model, **hints):
        return self._database(model)

    def db_for_write(self, model, **hints):
        return self._database(model)

    def allow_relation(self, obj1, obj2, **hints):
        return self._database(type(obj1)) == self._database(type(obj2))

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        in_analytics = app_label == "blog" and model_name in ANALYTICS_MODELS
        return db == ("analytics" if in_analytics else "default")
