from .customers import Customer, CustomerCodeCounter

__all__ = ["Customer", "CustomerCodeCounter"]
